#pragma once
// Which worker runs which artefact format. One place, so callers never guess.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/worker_client.hpp"

namespace convbench {

struct WorkerSettings {
  int threads = 0;  // 0: the machine's cores
  std::chrono::milliseconds timeout{600'000};
  std::optional<std::filesystem::path> log_dir;  // worker stderr logs go here
};

// The worker for an artefact format ("onnx", "torchscript", "tf_savedmodel"). Throws WorkerError
// with the reason for formats that have no worker on this platform ("coreml_mlprogram").
WorkerSpec worker_for_format(std::string_view format, const WorkerSettings& settings,
                             std::string_view log_tag = "");

int effective_threads(int requested);

}  // namespace convbench
