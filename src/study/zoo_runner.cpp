#include "study/zoo_runner.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/zoo_python.hpp"
#include "runtime/registry.hpp"

namespace convbench {
namespace fs = std::filesystem;

ProcessResult run_zoo_train(const fs::path& root, const ZooTrainRequest& r) {
  const ZooPython py = zoo_python(root);
  std::vector<std::string> args = {"all",
                                   "--framework",
                                   r.framework,
                                   "--model",
                                   r.model,
                                   "--data",
                                   r.data_dir.string(),
                                   "--out",
                                   r.out_dir.string(),
                                   "--seed",
                                   std::to_string(r.seed)};
  if (r.epochs) args.insert(args.end(), {"--epochs", std::to_string(*r.epochs)});
  if (r.train_subset > 0)
    args.insert(args.end(), {"--train-subset", std::to_string(r.train_subset)});
  if (r.val_subset > 0) args.insert(args.end(), {"--val-subset", std::to_string(r.val_subset)});
  const auto threads = std::to_string(effective_threads(r.threads));
  // LibTorch and TF read these at start-up.
  return run_zoo(py, args, r.log,
                 {{"OMP_NUM_THREADS", threads}, {"TF_NUM_INTRAOP_THREADS", threads}});
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
