#include "check/model_run.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace convbench {
namespace fs = std::filesystem;

ModelRef infer_model(const fs::path& path) {
  if (!fs::exists(path)) fail<UsageError>("{}: no such model file or directory", path.string());
  ModelRef m;
  m.path = fs::absolute(path);
  const auto ext = path.extension().string();
  if (fs::is_directory(path) && fs::exists(path / "saved_model.pb"))
    m.format = "tf_savedmodel";
  else if (ext == ".onnx")
    m.format = "onnx";
  else if (ext == ".pt" || ext == ".pth" || ext == ".torchscript")
    m.format = "torchscript";
  else if (ext == ".mlpackage" || ext == ".mlmodel")
    m.format = "coreml_mlprogram";
  else
    fail<UsageError>(
        "{}: cannot tell the model format (expected *.onnx, *.pt, a SavedModel directory or "
        "*.mlpackage)",
        path.string());
  return m;
}

LoadedModel::LoadedModel(const ModelRef& model, const WorkerSettings& settings,
                         std::string_view tag, DType input_dtype)
    : input_dtype_(input_dtype) {
  LoadOptions lo;
  lo.threads = effective_threads(settings.threads);
  lo.signature = model.signature;
  runner_ = std::make_unique<ModelRunner>(runtimes_for_format(model.format).front(), model.path, lo,
                                          settings, tag);
}

ScoreRun LoadedModel::run(const Tensor& inputs, std::int64_t batch_size, int warmup) {
  const SetRun r = runner_->run_set(runner_->feed(inputs, input_dtype_), batch_size, warmup);
  if (r.outputs.empty()) fail<WorkerError>("{} returned no outputs", runner_->runtime());
  return {to_f32(r.outputs.front()), r.inference_s};
}

}  // namespace convbench
