#include "check/zoo_tools.hpp"

#include "core/error.hpp"
#include "core/subprocess.hpp"
#include "core/zoo_python.hpp"

namespace convbench {
namespace fs = std::filesystem;

void run_onnx_tools(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> argv = {"onnx-tools"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = run_zoo(zoo_python(repo_root()), argv, log);
  if (!r.status.ok())
    fail("onnx-tools {} {}; its log {} ends: {}", args.empty() ? "" : args.front(),
         r.status.describe(), log.string(), file_tail(log));
}

}  // namespace convbench
