#include "study/zoo_runner.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "runtime/registry.hpp"

namespace convbench {
namespace fs = std::filesystem;

ProcessResult run_zoo_train(const fs::path& root, const ZooTrainRequest& r) {
  const fs::path python = root / ".venv" / "bin" / "python";
  if (!fs::exists(python))
    fail<UsageError>("{}: the zoo's Python venv is missing (run scripts/setup.sh)",
                     python.string());
  std::vector<std::string> argv = {python.string(), "-m",
                                   "convbench_zoo", "all",
                                   "--framework",   r.framework,
                                   "--model",       r.model,
                                   "--data",        r.data_dir.string(),
                                   "--out",         r.out_dir.string(),
                                   "--seed",        std::to_string(r.seed)};
  if (r.epochs) argv.insert(argv.end(), {"--epochs", std::to_string(*r.epochs)});
  if (r.train_subset > 0)
    argv.insert(argv.end(), {"--train-subset", std::to_string(r.train_subset)});
  if (r.val_subset > 0) argv.insert(argv.end(), {"--val-subset", std::to_string(r.val_subset)});
  SpawnOptions o;
  const auto threads = std::to_string(effective_threads(r.threads));
  o.env = {{"PYTHONPATH", (root / "zoo").string()},
           {"OMP_NUM_THREADS", threads},  // LibTorch and TF read these at start-up
           {"TF_NUM_INTRAOP_THREADS", threads},
           {"TF_CPP_MIN_LOG_LEVEL", "2"},
           {"PYTHONUNBUFFERED", "1"}};
  o.output_log = r.log;
  return run_process(argv, o);
}

bool model_dir_complete(const fs::path& dir) {
  std::ifstream in(dir / "manifest.json");
  if (!in) return false;
  try {
    const auto m = nlohmann::json::parse(in);
    const auto& a = m.at("artefacts");
    return a.contains("original") && a.contains("onnx") && a.contains("coreml");
  } catch (const nlohmann::json::exception&) {
    return false;  // half-written: redo
  }
}

}  // namespace convbench
