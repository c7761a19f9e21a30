#pragma once
// Which worker runs which artefact format. One place, so callers never guess.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/worker_client.hpp"

namespace convbench {

struct WorkerSettings {
  int threads = 0;  // 0: the machine's cores
  std::chrono::milliseconds timeout{600'000};
  std::optional<std::filesystem::path> log_dir;  // worker stderr logs go here
};

// The runtimes (worker names) that run an artefact format, in report order: "onnx" ->
// {"onnxruntime", "opencv"}, "torchscript" -> {"torch"}, "tf_savedmodel" -> {"tensorflow"}.
// Throws WorkerError with the reason for formats no worker runs here ("coreml_mlprogram").
std::vector<std::string> runtimes_for_format(std::string_view format);

// How to start the worker of a runtime ("onnxruntime", "opencv", "torch", "tensorflow").
WorkerSpec worker_spec(std::string_view runtime, const WorkerSettings& settings,
                       std::string_view log_tag = "");

// Every runtime worker convbench knows, whether built or not.
std::vector<std::string> known_runtimes();

int effective_threads(int requested);

}  // namespace convbench
