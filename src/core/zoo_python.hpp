#pragma once
// Where convbench's own files are, and the one bridge to the zoo's Python (training, ONNX tools,
// figures). Works from a checkout and from an installed tree (`cmake --install`):
//   checkout:  <root>/config, <root>/zoo, <root>/.venv/bin/python
//   installed: <prefix>/share/convbench/{config,zoo}; Python from $CONVBENCH_PYTHON
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/subprocess.hpp"

namespace convbench {

// The directory holding config/ and zoo/: $CONVBENCH_ROOT, else found upwards from the running
// binary (build/bin/convbench -> the checkout; <prefix>/bin/convbench -> <prefix>/share/convbench).
std::filesystem::path repo_root();

struct ZooPython {
  std::filesystem::path python;   // the interpreter
  std::filesystem::path zoo_dir;  // on PYTHONPATH: the convbench_zoo package
};

// The interpreter: $CONVBENCH_PYTHON, else <root>/.venv/bin/python. nullopt when neither exists.
std::optional<ZooPython> find_zoo_python(const std::filesystem::path& root);
// As find_zoo_python, or a UsageError saying how to provide one.
ZooPython zoo_python(const std::filesystem::path& root);

// `python -m convbench_zoo ARGS...`, its stderr and stdout into `log`; `env` adds to the
// bridge's own (PYTHONPATH, unbuffered output, TensorFlow's log level).
ProcessResult run_zoo(const ZooPython& py, const std::vector<std::string>& args,
                      const std::filesystem::path& log,
                      const std::map<std::string, std::string>& env = {});

}  // namespace convbench
