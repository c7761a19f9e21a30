#pragma once
// A dataset split decoded and preprocessed into model inputs: the one place each dataset's
// preprocessing lives. `prepare` (the .npy the zoo trains on) and `test_set` (what eval feeds
// every runtime) both call these, so training and measuring see the same numbers.
//   mnist:   x/255, NCHW or NHWC
//   cifar10: (x/255 - mean[c]) / std[c] with cifar10.hpp's constants, NCHW or NHWC
//   imdb:    token ids (tokenizer.hpp, vocabulary.hpp), [N, seq_len]; held as float32 here (exact
//            below 2^24) and given to the model as int64 (dataset_input_dtype)
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "core/dtype.hpp"
#include "core/tensor.hpp"
#include "data/imdb.hpp"
#include "data/labelled_images.hpp"
#include "data/split.hpp"
#include "data/vocabulary.hpp"

namespace convbench {

struct LabelledTensor {
  Tensor inputs;
  std::vector<std::int64_t> labels;
};

// True for the image datasets (mnist, cifar10).
bool is_image_dataset(std::string_view dataset);
// The dtype a model of this dataset takes: float32 images, int64 token ids (imdb).
DType dataset_input_dtype(std::string_view dataset);

// An image dataset's split; limit > 0 keeps the first `limit` images in file order.
// UsageError for a dataset that is not an image dataset.
LabelledTensor image_inputs(std::string_view dataset, const std::filesystem::path& dir, Split split,
                            Layout layout, std::int64_t limit = 0);

// The set of valid model inputs of an image dataset, element by element: the preprocessing of an
// all-0 and an all-255 image (MNIST: [0, 1]; CIFAR-10: per channel [-mean/std, (1-mean)/std]).
// Attacks clip to it, so an adversarial example is still an image. `shape`: one sample's.
struct InputDomain {
  std::vector<float> lower, upper;
};
InputDomain image_input_domain(std::string_view dataset, Layout layout,
                               std::span<const std::int64_t> shape);

// What encoding a set of reviews found, for the log.
struct TextStats {
  std::size_t reviews = 0, tokens = 0, unknown = 0, truncated = 0;
};

// Reviews as token ids: float32 [N, seq_len] (ids are exact in float32 below 2^24).
LabelledTensor text_inputs(std::span<const Review> reviews, const Vocabulary& vocab,
                           std::size_t seq_len, TextStats* stats = nullptr);

}  // namespace convbench
