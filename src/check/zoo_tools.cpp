#include "check/zoo_tools.hpp"

#include "core/error.hpp"
#include "core/subprocess.hpp"
#include "study/study_config.hpp"

namespace convbench {
namespace fs = std::filesystem;

void run_onnx_tools(const std::vector<std::string>& args, const fs::path& log) {
  const fs::path root = repo_root();
  const fs::path python = root / ".venv" / "bin" / "python";
  if (!fs::exists(python))
    fail<UsageError>("{}: the zoo's Python venv is missing (run scripts/setup.sh)",
                     python.string());
  std::vector<std::string> argv = {python.string(), "-m", "convbench_zoo", "onnx-tools"};
  argv.insert(argv.end(), args.begin(), args.end());
  SpawnOptions o;
  o.env = {{"PYTHONPATH", (root / "zoo").string()},
           {"TF_CPP_MIN_LOG_LEVEL", "2"},
           {"PYTHONUNBUFFERED", "1"}};
  if (log.has_parent_path()) fs::create_directories(log.parent_path());
  fs::remove(log);
  o.output_log = log;
  const auto r = run_process(argv, o);
  if (!r.status.ok())
    fail("onnx-tools {} {}; its log {} ends: {}", args.empty() ? "" : args.front(),
         r.status.describe(), log.string(), file_tail(log));
}

}  // namespace convbench
