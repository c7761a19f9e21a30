#include "core/zoo_python.hpp"

#include <cstdlib>

#include "core/error.hpp"

namespace convbench {
namespace fs = std::filesystem;

namespace {
bool holds_resources(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p / "config" / "models.toml", ec) && fs::is_directory(p / "zoo", ec);
}
}  // namespace

fs::path repo_root() {
  if (const char* r = std::getenv("CONVBENCH_ROOT"); r != nullptr && *r != '\0') return r;
  for (fs::path p = fs::read_symlink("/proc/self/exe").parent_path(); !p.empty();
       p = p.parent_path()) {
    if (holds_resources(p)) return p;
    if (holds_resources(p / "share" / "convbench")) return p / "share" / "convbench";
    if (p == p.root_path()) break;
  }
  fail<UsageError>(
      "cannot find convbench's config/ and zoo/ (a checkout above the binary, or "
      "<prefix>/share/convbench of an installed tree); set CONVBENCH_ROOT");
}

std::optional<ZooPython> find_zoo_python(const fs::path& root) {
  fs::path python = root / ".venv" / "bin" / "python";
  if (const char* p = std::getenv("CONVBENCH_PYTHON"); p != nullptr && *p != '\0') python = p;
  std::error_code ec;
  if (!fs::exists(python, ec)) return std::nullopt;
  return ZooPython{python, root / "zoo"};
}

ZooPython zoo_python(const fs::path& root) {
  if (auto p = find_zoo_python(root)) return *p;
  if (const char* p = std::getenv("CONVBENCH_PYTHON"); p != nullptr && *p != '\0')
    fail<UsageError>("CONVBENCH_PYTHON={}: no such interpreter", p);
  fail<UsageError>(
      "{}: the zoo's Python venv is missing (run scripts/setup.sh in a checkout; for an "
      "installed tree set CONVBENCH_PYTHON to a Python with {} installed)",
      (root / ".venv" / "bin" / "python").string(), (root / "zoo" / "requirements.txt").string());
}

ProcessResult run_zoo(const ZooPython& py, const std::vector<std::string>& args,
                      const fs::path& log, const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {py.python.string(), "-m", "convbench_zoo"};
  argv.insert(argv.end(), args.begin(), args.end());
  SpawnOptions o;
  o.env = {{"PYTHONPATH", py.zoo_dir.string()},
           {"TF_CPP_MIN_LOG_LEVEL", "2"},
           {"PYTHONUNBUFFERED", "1"}};
  for (const auto& [k, v] : env) o.env[k] = v;
  if (log.has_parent_path()) fs::create_directories(log.parent_path());
  std::error_code ec;
  fs::remove(log, ec);
  o.output_log = log;
  return run_process(argv, o);
}

}  // namespace convbench
