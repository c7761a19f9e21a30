#pragma once
// The inputs `convbench check` feeds both models: a dataset's test split, the user's own
// arrays (.npy, .npz or a folder of .npy), or generated ones of a declared shape and range.
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/tensor.hpp"
#include "data/model_inputs.hpp"

namespace convbench {

struct InputSpec {
  // Dataset (data/test_set.hpp): name + directory of its official files.
  std::string dataset;
  std::filesystem::path data_dir;
  std::string layout = "NCHW";  // NCHW / NHWC / tokens
  std::filesystem::path vocab_file;
  std::int64_t seq_len = 0;
  // User arrays: a .npy (inputs), a .npz (keys x|inputs|input, optional y|labels) or a folder
  // of .npy files concatenated along the leading axis in name order (labels.npy / y.npy are
  // taken as labels).
  std::filesystem::path files;
  // Generated: per-sample shape, uniform in [low, high), seeded; integer -> whole numbers
  // (token ids).
  Shape generate_shape;
  std::int64_t generate_count = 256;
  double low = 0, high = 1;
  bool integer = false;
  std::uint64_t seed = 0;

  std::int64_t limit = 0;  // > 0: the first `limit` samples
};

// Where the inputs came from, for the verdict ("mnist test split", "x.npz", "generated ...").
std::string describe(const InputSpec& spec);

// UsageError when no source or more than one is given; DataError for a malformed file.
LabelledTensor load_check_inputs(const InputSpec& spec);

// A .npy of any common numeric dtype (f4, f8, i1/u1, i4, i8, bool) as float32 / int64.
Tensor parse_npy_f32(std::string_view bytes, const std::string& what);
std::vector<std::int64_t> parse_npy_labels(std::string_view bytes, const std::string& what);

}  // namespace convbench
