#pragma once
// One model loaded in its runtime worker, run over a whole input set in batches.
#include <filesystem>
#include <memory>
#include <string>

#include "core/tensor.hpp"
#include "runtime/registry.hpp"
#include "runtime/worker_client.hpp"

namespace convbench {

struct ModelRef {
  std::filesystem::path path;
  std::string format;  // "onnx", "torchscript", "tf_savedmodel", "coreml_mlprogram"
  // SavedModel tensors; empty: the worker reads them from the serving_default signature.
  std::string tf_input, tf_output;
};

// The format of a model file from its name: *.onnx, *.pt/*.pth/*.torchscript, a directory with
// saved_model.pb, *.mlpackage/*.mlmodel. UsageError when missing or unknown.
ModelRef infer_model(const std::filesystem::path& path);

struct SetRun {
  Tensor outputs;
  double inference_s = 0;  // sum of in-worker batch times (after warm-up)
};

class LoadedModel {
 public:
  // Spawns the first runtime that runs the format (onnx: onnxruntime) and loads the model.
  // WorkerError/UsageError on failure.
  LoadedModel(const ModelRef& model, const WorkerSettings& settings, std::string_view tag);

  // Runs `inputs` in batches of `batch_size`; `warmup` untimed batches first. WorkerError for
  // a wrong row count or NaN/Inf outputs.
  SetRun run(const Tensor& inputs, std::int64_t batch_size, int warmup = 0);

  const std::string& worker() const { return worker_; }
  const LoadReply& loaded() const { return loaded_; }
  // The per-sample input shape the model declares, when the runtime reports a fixed one.
  std::optional<Shape> declared_sample_shape() const;
  // The batch dimension the model declares: > 0 when fixed, -1 when dynamic or unknown.
  std::int64_t declared_batch() const;

 private:
  ModelRef model_;
  std::string worker_;
  std::unique_ptr<WorkerClient> client_;
  LoadReply loaded_;
};

}  // namespace convbench
