#pragma once
// A dataset's test split as model inputs: the one entry point eval (and later the study) use.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "data/model_inputs.hpp"

namespace convbench {

struct TestSetOptions {
  std::string layout = "NCHW";       // the model's input layout: "NCHW"/"NHWC" (images), "tokens"
  std::int64_t limit = 0;            // > 0: the first `limit` samples (IMDb: class-balanced order)
  std::filesystem::path vocab_file;  // text: the model's vocabulary (one token per line)
  std::int64_t seq_len = 0;          // text: tokens per sample
};

// DataError/UsageError naming what is wrong: an unknown dataset, a layout that does not fit it,
// a text model without its vocabulary or sequence length.
LabelledTensor load_test_set(std::string_view dataset, const std::filesystem::path& dir,
                             const TestSetOptions& opt);

// Image datasets only (the signature before text data): layout "NCHW"/"NHWC".
LabelledTensor load_test_set(std::string_view dataset, const std::filesystem::path& dir,
                             std::string_view layout, std::int64_t limit = 0);

}  // namespace convbench
