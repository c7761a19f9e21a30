// convbench-onnx-conformance: every case of the ONNX backend test suite (exported to .npy by
// export_onnx_suite.py) through the ONNX workers, each case in a fresh worker, 1 thread. An output
// passes when dtype and shape are the reference's and every element is within the suite's own
// rule |got - want| <= atol + rtol |want| (NaN equals NaN). For ONNX Runtime it also counts the
// cases whose outputs equal the onnxruntime Python package's byte for byte: the worker adds
// nothing. Prints a Markdown table of pass / fail / cannot load / cannot run per runtime and the
// failures; exit 1 with --require-pass when a listed case does not pass everywhere it is run.
#include <CLI/CLI.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/npy.hpp"
#include "runtime/model_runner.hpp"

namespace convbench {
namespace {
namespace fs = std::filesystem;

struct Tally {
  int pass = 0, fail = 0, cannot_load = 0, cannot_run = 0, bit_identical = 0, compared_with_py = 0;
  std::vector<std::string> failures;  // "case: why"
};

int run(const fs::path& index_file, const std::vector<std::string>& runtimes, const fs::path& md,
        bool require_pass) {
  std::ifstream in(index_file);
  if (!in) fail<UsageError>("{}: cannot open", index_file.string());
  const auto index = nlohmann::json::parse(in);
  const fs::path root = index_file.parent_path();
  std::map<std::string, Tally> t;
  int skipped = 0;
  std::vector<std::string> skips;
  WorkerSettings ws;
  ws.threads = 1;
  ws.timeout = std::chrono::seconds(60);
  LoadOptions lo;
  lo.threads = 1;
  for (const auto& c : index) {
    const std::string name = c["case"];
    if (!c["skip"].is_null()) {
      ++skipped;
      skips.push_back(name + ": " + c["skip"].get<std::string>());
      continue;
    }
    Values feed;
    for (const auto& i : c["inputs"])
      feed.push_back(read_npy(root / i["file"].get<std::string>(), i["name"]));
    for (const auto& rt : runtimes) {
      Tally& k = t[rt];
      std::unique_ptr<ModelRunner> m;
      try {
        m = std::make_unique<ModelRunner>(rt, c["model"].get<std::string>(), lo, ws, "conformance");
      } catch (const Error& e) {
        ++k.cannot_load;
        k.failures.push_back(
            fmt::format("{}: cannot load: {}", name, std::string(e.what()).substr(0, 200)));
        continue;
      }
      Values got;
      try {
        got = m->run(feed).outputs;
      } catch (const Error& e) {
        ++k.cannot_run;
        k.failures.push_back(
            fmt::format("{}: cannot run: {}", name, std::string(e.what()).substr(0, 200)));
        continue;
      }
      std::string why;
      const auto& outs = c["outputs"];
      if (got.size() != outs.size())
        why = fmt::format("{} outputs, expected {}", got.size(), outs.size());
      bool identical = rt == "onnxruntime" && c["py_error"].is_null() && why.empty();
      for (std::size_t i = 0; why.empty() && i < outs.size(); ++i) {
        const Value ref = read_npy(root / outs[i]["ref"].get<std::string>(), outs[i]["name"]);
        why = first_difference(ref, got[i], c["rtol"].get<double>(), c["atol"].get<double>());
        if (identical) {
          if (outs[i]["py"].is_null()) {
            identical = false;
          } else {
            const Value py = read_npy(root / outs[i]["py"].get<std::string>());
            identical =
                py.dtype == got[i].dtype && py.shape == got[i].shape && py.bytes == got[i].bytes;
          }
        }
      }
      if (rt == "onnxruntime" && c["py_error"].is_null()) {
        ++k.compared_with_py;
        k.bit_identical += identical;
        if (!identical)
          k.failures.push_back(name + ": NOT bit-identical to the onnxruntime Python package");
      }
      if (why.empty()) {
        ++k.pass;
      } else {
        ++k.fail;
        k.failures.push_back(name + ": " + why);
      }
    }
  }
  std::string out = fmt::format(
      "| runtime | pass | fail | cannot load | cannot run | bit-identical to onnxruntime (Python) "
      "|\n"
      "|---|---|---|---|---|---|\n");
  bool all_pass = true;
  for (const auto& rt : runtimes) {
    const Tally& k = t[rt];
    out += fmt::format(
        "| {} | {} | {} | {} | {} | {} |\n", rt, k.pass, k.fail, k.cannot_load, k.cannot_run,
        rt == "onnxruntime" ? fmt::format("{} of {}", k.bit_identical, k.compared_with_py) : "-");
    all_pass = all_pass && k.fail == 0 && k.cannot_load == 0 && k.cannot_run == 0 &&
               k.bit_identical == k.compared_with_py;
  }
  out += fmt::format("\n{} cases not carried (listed below) of {}.\n", skipped, index.size());
  for (const auto& rt : runtimes) {
    out += fmt::format("\n### {}: failures\n", rt);
    for (const auto& f : t[rt].failures) out += "- " + f + "\n";
  }
  out += "\n### not carried\n";
  for (const auto& s : skips) out += "- " + s + "\n";
  fmt::print("{}", out.substr(0, out.find("\n### ")));
  fmt::print("\n");
  if (!md.empty()) {
    std::ofstream(md) << out;
    fmt::print("full table and failure list: {}\n", md.string());
  }
  return require_pass && !all_pass ? 1 : 0;
}

}  // namespace
}  // namespace convbench

int main(int argc, char** argv) {
  CLI::App app{"The ONNX backend test suite through convbench's ONNX workers"};
  std::string index, md;
  std::vector<std::string> runtimes{"onnxruntime", "opencv"};
  bool require = false;
  app.add_option("--index", index, "index.json written by export_onnx_suite.py")->required();
  app.add_option("--runtimes", runtimes, "Workers to run")->delimiter(',');
  app.add_option("--markdown", md, "Write the table and every failure here");
  app.add_flag("--require-pass", require, "Exit 1 unless every case passes in every runtime");
  CLI11_PARSE(app, argc, argv);
  try {
    return convbench::run(index, runtimes, md, require);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  }
}
