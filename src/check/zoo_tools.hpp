#pragma once
// Calls into the zoo's Python for what needs a framework or ONNX graph surgery:
// `python -m convbench_zoo onnx-tools <action> ...` (zoo/convbench_zoo/onnx_tools.py).
#include <filesystem>
#include <string>
#include <vector>

namespace convbench {

// Runs the action with its arguments; its output goes to `log`. Error naming the action and
// the log's tail when it fails; UsageError when the venv is missing.
void run_onnx_tools(const std::vector<std::string>& args, const std::filesystem::path& log);

}  // namespace convbench
