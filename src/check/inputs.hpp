#pragma once
// The inputs `convbench check` feeds both models: a dataset's test split, the user's own
// arrays (.npy, .npz or a folder of .npy), or generated ones of a declared shape and range.
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>

#include "core/tensor.hpp"
#include "core/value.hpp"
#include "data/model_inputs.hpp"
#include "runtime/backend.hpp"

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
  // Generated from the model's own signature (`--generate auto`): every declared input, of its
  // declared dtype; `shapes` gives an input's shape where the signature leaves a dimension
  // dynamic (its leading, batch dimension is replaced by generate_count), `ranges` an input's
  // value range (default: [low, high) for floating inputs, [0, 10) for integers, {0, 1} for bool).
  bool generate_auto = false;
  std::map<std::string, Shape> shapes;
  std::map<std::string, std::pair<double, double>> ranges;

  std::int64_t limit = 0;  // > 0: the first `limit` samples
};

// Where the inputs came from, for the verdict ("mnist test split", "x.npz", "generated ...").
std::string describe(const InputSpec& spec);

// UsageError when no source or more than one is given; DataError for a malformed file.
LabelledTensor load_check_inputs(const InputSpec& spec);

// `--generate auto`: one value per declared input, `spec.generate_count` rows, seeded (each input
// from its own stream, so adding an input does not change the others). UsageError naming the input
// for a dynamic dimension without a --shape, a --shape or --range for an input the model does not
// have, or an empty range.
Values generate_feed(std::span<const TensorInfo> inputs, const InputSpec& spec);

// A .npy of any common numeric dtype (f4, f8, i1/u1, i4, i8, bool) as float32 / int64.
Tensor parse_npy_f32(std::string_view bytes, const std::string& what);
std::vector<std::int64_t> parse_npy_labels(std::string_view bytes, const std::string& what);

}  // namespace convbench
