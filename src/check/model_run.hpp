#pragma once
// One model loaded in its runtime worker, run over a whole input set in batches.
#include <filesystem>
#include <memory>
#include <string>

#include "core/tensor.hpp"
#include "runtime/model_runner.hpp"
#include "runtime/registry.hpp"

namespace convbench {

struct ModelRef {
  std::filesystem::path path;
  std::string format;          // "onnx", "torchscript", "tf_savedmodel", "coreml_mlprogram"
  std::string signature = {};  // SavedModel: the signature to run; empty: serving_default
};

// The format of a model file from its name: *.onnx, *.pt/*.pth/*.torchscript, a directory with
// saved_model.pb, *.mlpackage/*.mlmodel. UsageError when missing or unknown.
ModelRef infer_model(const std::filesystem::path& path);

// A check's model in its runtime worker (the one ModelRunner), seen as the rules see a model:
// one input tensor in (cast exactly to the declared input dtype), the first output (the class
// scores) out as float32.
struct ScoreRun {
  Tensor outputs;
  double inference_s = 0;  // sum of in-worker batch times (after warm-up)
};

class LoadedModel {
 public:
  // Spawns the first runtime that runs the format (onnx: onnxruntime) and loads the model.
  // WorkerError/UsageError on failure.
  LoadedModel(const ModelRef& model, const WorkerSettings& settings, std::string_view tag,
              DType input_dtype = DType::f32);

  // Runs `inputs` in batches of `batch_size`; `warmup` untimed batches first. WorkerError for
  // a wrong row count or NaN/Inf outputs.
  ScoreRun run(const Tensor& inputs, std::int64_t batch_size, int warmup = 0);

  ModelRunner& runner() { return *runner_; }
  const std::string& worker() const { return runner_->runtime(); }
  const LoadReply& loaded() const { return runner_->loaded(); }
  std::optional<Shape> declared_sample_shape() const { return runner_->declared_sample_shape(); }
  std::int64_t declared_batch() const { return runner_->declared_batch(); }

 private:
  std::unique_ptr<ModelRunner> runner_;
  DType input_dtype_;
};

}  // namespace convbench
