#pragma once
// The inputs `convbench check` feeds both models: a dataset's test split, the user's own named
// arrays (.npy, .npz, folders of them, Polygraphy's JSON), or generated ones of a declared shape
// and range.
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
  // User arrays (read_user_inputs): .npy, a folder of .npy, .npz, a folder of .npz, or
  // Polygraphy's inputs JSON.
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

// UsageError when no source or more than one is given.
void check_one_source(const InputSpec& spec);

// A dataset's test split or `--generate SHAPE` (one float32 input); DataError for a malformed file.
LabelledTensor load_check_inputs(const InputSpec& spec);

// The user's own arrays (`--inputs`), dtypes kept, each named:
// - x.npy: one array (named by its stem);
// - a folder of .npy: the samples or batches of one input, stacked in name order;
// - an .npz: its arrays by name; a folder of .npz (one per sample or batch): each name stacked
//   in file-name order, every file naming the same arrays;
// - a .json: Polygraphy's inputs JSON (`--save-inputs`, `polygraphy.json.save_json`), a list of
//   feeds {name: array}, stacked per name.
// An array named labels / label / y holds the labels (1-D integers). DataError naming the file
// (and array, entry or feed) for anything malformed, 0-d, or arrays of different sample counts.
struct UserInputs {
  std::string source;
  Values arrays;                     // name order
  std::vector<std::int64_t> labels;  // empty: none
};
UserInputs read_user_inputs(const std::filesystem::path& path);

// The arrays for a model's inputs: by name, or the one array for a one-input model. Arrays that
// match no input, or inputs with no array, are a UsageError naming both lists (never stacked or
// guessed).
Values match_inputs(const UserInputs& inputs, std::span<const TensorInfo> model_inputs,
                    const std::string& model);

// `--generate auto`: one value per declared input, `spec.generate_count` rows, seeded (each input
// from its own stream, so adding an input does not change the others). UsageError naming the input
// for a dynamic dimension without a --shape, a --shape or --range for an input the model does not
// have, or an empty range.
Values generate_feed(std::span<const TensorInfo> inputs, const InputSpec& spec);

}  // namespace convbench
