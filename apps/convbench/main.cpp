// The convbench command line. Errors are caught here, once, and mapped to exit codes:
// 0 success, 2 usage or infrastructure error (bad flag, missing or corrupt file, no runtime).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/error.hpp"
#include "data/catalogue.hpp"
#include "data/fetch.hpp"
#include "data/prepare.hpp"
#include "eval/evaluate.hpp"
#include "runtime/coreml/coreml_platform.hpp"
#include "runtime/registry.hpp"
#include "runtime/worker_client.hpp"

namespace fs = std::filesystem;
using namespace convbench;

namespace {

void add_data_commands(CLI::App& app) {
  auto* data = app.add_subcommand("data", "Get and prepare datasets");
  data->require_subcommand(1);

  auto* fetch = data->add_subcommand(
      "fetch", "Put a dataset's official files in a directory, SHA-256 checked");
  static std::string dataset;
  static std::string out, mirror;
  static bool no_download = false;
  fetch->add_option("dataset", dataset, "Dataset name")
      ->required()
      ->check(CLI::IsMember(dataset_names()));
  fetch->add_option("--out", out, "Directory for the files")->required();
  fetch->add_option("--mirror", mirror,
                    "Local mirror directory to copy from instead of downloading");
  fetch->add_flag("--no-download", no_download, "Fail rather than download a missing file");
  fetch->callback([] {
    FetchOptions o{out, mirror.empty() ? std::nullopt : std::optional<fs::path>(mirror),
                   !no_download};
    for (const auto& f : fetch_dataset(dataset_spec(dataset), o)) {
      const char* how = f.source == FetchSource::already_present ? "present"
                        : f.source == FetchSource::mirror        ? "copied from mirror"
                                                                 : "downloaded";
      fmt::print("{}  ({}, sha256 ok)\n", f.path.string(), how);
    }
  });

  auto* prep =
      data->add_subcommand("prepare", "Decode a dataset into .npy arrays for the zoo to train on");
  static std::string pdataset, pdir, pout;
  prep->add_option("dataset", pdataset, "Dataset name")->required();
  prep->add_option("--data-dir", pdir, "Directory with the official files")->required();
  prep->add_option("--out", pout, "Output directory")->required();
  prep->callback([] {
    for (const auto& p : prepare_npy(pdataset, pdir, pout)) fmt::print("{}\n", p.string());
  });
}

void add_eval_command(CLI::App& app) {
  auto* ev =
      app.add_subcommand("eval", "Measure an original model and its conversions side by side");
  static EvalOptions o;
  static std::string json_out, log_dir;
  static double timeout_s = 600;
  ev->add_option("--model-dir", o.model_dir,
                 "Model directory written by the zoo (has manifest.json)")
      ->required();
  ev->add_option("--data-dir", o.data_dir, "Directory with the dataset's official files")
      ->required();
  ev->add_option("--batch-size", o.batch_size, "Batch size of the timed pass")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  ev->add_option("--warmup", o.warmup_batches, "Untimed warm-up batches per runtime")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  ev->add_option("--limit", o.limit, "Use only the first N test samples (0 = all)")
      ->capture_default_str();
  ev->add_option("--threads", o.workers.threads, "Intra-op threads per runtime (0 = all cores)")
      ->capture_default_str();
  ev->add_option("--timeout", timeout_s, "Seconds a worker may take for one request")
      ->capture_default_str();
  ev->add_option("--runtimes", o.runtimes, "Only these runtime workers (default: all)")
      ->delimiter(',')
      ->check(CLI::IsMember(known_runtimes()));
  ev->add_option("--json", json_out, "Write the results as JSON (docs/eval-json.md)");
  ev->add_option("--log-dir", log_dir, "Directory for the workers' stderr logs");
  ev->callback([] {
    o.workers.timeout = std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
    if (!log_dir.empty()) o.workers.log_dir = fs::path(log_dir);
    const EvalResult r = evaluate(o);
    fmt::print("{}", to_table(r));
    if (!json_out.empty()) {
      const fs::path p(json_out);
      if (p.has_parent_path()) fs::create_directories(p.parent_path());
      std::ofstream(p) << to_json(r).dump(2) << '\n';
      fmt::print("results: {}\n", p.string());
    }
  });
}

void add_runtimes_command(CLI::App& app) {
  auto* rt = app.add_subcommand("runtimes", "List the runtime workers this build has");
  rt->callback([] {
    for (const auto& name : known_runtimes()) {
      const auto exe = worker_dir() / ("convbench-worker-" + name);
      fmt::print("{:<12} {}\n", name, fs::exists(exe) ? exe.string() : "not built");
    }
    fmt::print("{:<12} {}\n", "coreml", coreml_unavailable_reason().value_or("available"));
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"convbench: is my converted model still the same model?"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "convbench 0.1.0");
  add_data_commands(app);
  add_eval_command(app);
  add_runtimes_command(app);
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 2;
  }
  return 0;
}
