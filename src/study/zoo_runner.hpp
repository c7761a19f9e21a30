#pragma once
// The study's one call into Python: `python -m convbench_zoo all` (train, then convert to ONNX
// and Core ML) in the zoo's venv, as a child process with its output in a log file.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/subprocess.hpp"

namespace convbench {

struct ZooTrainRequest {
  std::string model, framework;
  std::filesystem::path data_dir;  // prepared .npy + meta.json
  std::filesystem::path out_dir;   // the model directory
  std::int64_t seed = 0;
  std::optional<int> epochs;
  std::int64_t train_subset = 0, val_subset = 0;
  int threads = 0;
  std::filesystem::path log;
};

ProcessResult run_zoo_train(const std::filesystem::path& repo_root, const ZooTrainRequest& r);

// True when the zoo finished with this directory: trained, and both conversions attempted.
bool model_dir_complete(const std::filesystem::path& dir);

}  // namespace convbench
