#include "runtime/registry.hpp"

#include <thread>

#include "core/error.hpp"
#include "runtime/coreml/coreml_platform.hpp"

namespace convbench {

int effective_threads(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

std::vector<std::string> runtimes_for_format(std::string_view format) {
  if (format == "onnx") return {"onnxruntime", "opencv"};
  if (format == "torchscript") return {"torch"};
  if (format == "tf_savedmodel") return {"tensorflow"};
  if (format.starts_with("coreml"))
    fail<WorkerError>("Core ML: {}", coreml_unavailable_reason().value_or("no worker"));
  fail<WorkerError>("no worker runs artefact format '{}'", format);
}

std::vector<std::string> known_runtimes() {
  return {"onnxruntime", "opencv", "torch", "tensorflow"};
}

WorkerSpec worker_spec(std::string_view runtime, const WorkerSettings& s,
                       std::string_view log_tag) {
  WorkerSpec spec;
  spec.name = runtime;
  if (runtime == "torch") {
    // Read once at start-up by LibTorch's OpenMP pool.
    spec.env["OMP_NUM_THREADS"] = std::to_string(effective_threads(s.threads));
  } else if (runtime == "tensorflow") {
    spec.env["TF_CPP_MIN_LOG_LEVEL"] = "2";
  } else if (runtime != "onnxruntime" && runtime != "opencv") {
    fail<WorkerError>("unknown runtime '{}'", runtime);
  }
  spec.executable = worker_dir() / ("convbench-worker-" + spec.name);
  spec.timeout = s.timeout;
  if (s.log_dir)
    spec.stderr_log = *s.log_dir / fmt::format("{}{}{}.stderr.log", log_tag,
                                               log_tag.empty() ? "" : "-", spec.name);
  return spec;
}

}  // namespace convbench
