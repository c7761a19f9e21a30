#pragma once
// The one interface every runtime implements, inside its own worker process. A backend only
// loads and runs; timing, memory and the protocol are the worker loop's job (worker_main).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

#include "core/error.hpp"
#include "core/value.hpp"

namespace convbench {

struct LoadOptions {
  int threads = 0;        // intra-op threads; 0 = the runtime's default
  std::string signature;  // TF: the SavedModel signature to run (default "serving_default")
};

// One input or output as the model declares it. Dimensions < 0 are dynamic; `dtype` is empty
// where the format does not declare it (TorchScript inputs).
struct TensorInfo {
  std::string name;
  std::optional<DType> dtype;
  Shape shape;
  bool shape_known = true;  // false: the rank itself is unknown
};

struct ModelSignature {
  std::vector<TensorInfo> inputs, outputs;
  // False where outputs are only known by running (TorchScript): `outputs` is then empty.
  bool outputs_known = true;
  nlohmann::json details = nlohmann::json::object();  // runtime-specific, for logs
};

nlohmann::json to_json(const TensorInfo& t);
TensorInfo tensor_info_from_json(const nlohmann::json& j);
nlohmann::json to_json(const ModelSignature& s);
ModelSignature signature_from_json(const nlohmann::json& j);

class Backend {
 public:
  virtual ~Backend() = default;
  // "onnxruntime 1.21.0", "libtorch 1.13.1", ...
  virtual std::string runtime() const = 0;
  // Loads a model and returns its signature.
  virtual ModelSignature load(const std::filesystem::path& model, const LoadOptions& options) = 0;
  // Runs one batch: `inputs` by name (every declared input, no other); returns every output, by
  // name, in the model's order. UnsupportedError names the tensor and dtype a runtime cannot take.
  virtual Values run(const Values& inputs) = 0;
  // d(cross-entropy of the logits w.r.t. labels, summed over the batch) / d(input) for a model
  // with one float32 input: one row per sample, so each row is that sample's own gradient (FGSM).
  // Runtimes without autodiff say so.
  virtual Value loss_gradient(const Value& input, std::span<const std::int64_t> labels) {
    (void)input;
    (void)labels;
    throw UnsupportedError(runtime() +
                           " offers no input gradient (only the original's framework does)");
  }
};

// The input called `name` in a feed; Error naming the missing input and what was given.
const Value& input_named(const Values& feed, const std::string& name);
// Error unless the feed holds exactly the declared inputs (by name).
void check_feed(const Values& feed, std::span<const TensorInfo> declared);

}  // namespace convbench
