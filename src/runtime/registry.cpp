#include "runtime/registry.hpp"

#include <thread>

#include "core/error.hpp"
#include "runtime/coreml/coreml_platform.hpp"

namespace convbench {

int effective_threads(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

WorkerSpec worker_for_format(std::string_view format, const WorkerSettings& s,
                             std::string_view log_tag) {
  WorkerSpec spec;
  const auto threads = std::to_string(effective_threads(s.threads));
  if (format == "onnx") {
    spec.name = "onnxruntime";
  } else if (format == "torchscript") {
    spec.name = "torch";
    spec.env["OMP_NUM_THREADS"] = threads;  // read once at start-up by LibTorch's OpenMP pool
  } else if (format == "tf_savedmodel") {
    spec.name = "tensorflow";
    spec.env["TF_CPP_MIN_LOG_LEVEL"] = "2";
  } else if (format == "coreml_mlprogram" || format == "coreml") {
    fail<WorkerError>("Core ML: {}", coreml_unavailable_reason().value_or("no worker"));
  } else {
    fail<WorkerError>("no worker runs artefact format '{}'", format);
  }
  spec.executable = worker_dir() / ("convbench-worker-" + spec.name);
  spec.timeout = s.timeout;
  if (s.log_dir)
    spec.stderr_log = *s.log_dir / fmt::format("{}{}{}.stderr.log", log_tag,
                                               log_tag.empty() ? "" : "-", spec.name);
  return spec;
}

}  // namespace convbench
