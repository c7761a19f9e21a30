#include "check/model_run.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "metrics/fidelity.hpp"

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
                         std::string_view tag)
    : model_(model) {
  worker_ = runtimes_for_format(model.format).front();
  client_ = std::make_unique<WorkerClient>(worker_spec(worker_, settings, tag));
  LoadOptions lo;
  lo.threads = effective_threads(settings.threads);
  if (model.format == "tf_savedmodel") {
    lo.input_name = model.tf_input;
    lo.output_name = model.tf_output;
  }
  loaded_ = client_->load(model.path, lo);
}

SetRun LoadedModel::run(const Tensor& inputs, std::int64_t batch_size, int warmup) {
  const std::int64_t n = inputs.rows();
  const std::int64_t bs = std::max<std::int64_t>(1, batch_size);
  for (int w = 0; w < warmup && n > 0; ++w) client_->run(inputs.slice_rows(0, std::min(bs, n)));
  SetRun r;
  std::vector<Tensor> parts;
  for (std::int64_t b = 0; b < n; b += bs) {
    auto rep = client_->run(inputs.slice_rows(b, std::min(b + bs, n)));
    r.inference_s += rep.run_s;
    parts.push_back(std::move(rep.output));
  }
  r.outputs = concat_rows(parts);
  if (r.outputs.rows() != n)
    fail<WorkerError>("{} returned {} output rows for {} inputs ({})", worker_, r.outputs.rows(), n,
                      model_.path.string());
  if (auto bad = first_non_finite_row(r.outputs))
    fail<WorkerError>("{} returned NaN/Inf outputs (first at sample {}) for {}", worker_, *bad,
                      model_.path.string());
  return r;
}

namespace {
// ONNX Runtime reports {"inputs": [{"name", "shape"}]}; other workers report names only.
const nlohmann::json* first_input(const nlohmann::json& io) {
  if (!io.is_object() || !io.contains("inputs") || !io["inputs"].is_array() || io["inputs"].empty())
    return nullptr;
  const auto& in = io["inputs"][0];
  return in.contains("shape") ? &in["shape"] : nullptr;
}
}  // namespace

std::optional<Shape> LoadedModel::declared_sample_shape() const {
  const auto* s = first_input(loaded_.io);
  if (!s || s->size() < 2) return std::nullopt;
  Shape out;
  for (std::size_t i = 1; i < s->size(); ++i) {
    const auto d = (*s)[i].get<std::int64_t>();
    if (d <= 0) return std::nullopt;  // symbolic: not fixed
    out.push_back(d);
  }
  return out;
}

std::int64_t LoadedModel::declared_batch() const {
  const auto* s = first_input(loaded_.io);
  if (!s || s->empty()) return -1;
  const auto d = (*s)[0].get<std::int64_t>();
  return d > 0 ? d : -1;
}

}  // namespace convbench
