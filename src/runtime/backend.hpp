#pragma once
// The one interface every runtime implements, inside its own worker process. A backend only
// loads and runs; timing, memory and the protocol are the worker loop's job (worker_main).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "core/error.hpp"
#include "core/tensor.hpp"

namespace convbench {

struct LoadOptions {
  int threads = 0;         // intra-op threads; 0 = the runtime's default
  std::string input_name;  // graph tensor names, where the format needs them (TF)
  std::string output_name;
  // TF: the SavedModel's input-gradient signature (the zoo exports one for image models).
  struct GradientNames {
    std::string input, label, output;
  } gradient;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // "onnxruntime 1.21.0", "libtorch 1.13.1", ...
  virtual std::string runtime() const = 0;
  // Loads a model; returns a description of its inputs and outputs (free-form JSON).
  virtual nlohmann::json load(const std::filesystem::path& model, const LoadOptions& options) = 0;
  // Runs one batch (leading axis = batch) and returns the model's (single) output.
  virtual Tensor run(const Tensor& input) = 0;
  // d(cross-entropy of the logits w.r.t. labels, summed over the batch) / d(input): one row per
  // sample, so each row is that sample's own gradient (FGSM). Runtimes without autodiff say so.
  virtual Tensor loss_gradient(const Tensor& input, std::span<const std::int64_t> labels) {
    (void)input;
    (void)labels;
    throw Error(runtime() + " offers no input gradient (only the original's framework does)");
  }
};

}  // namespace convbench
