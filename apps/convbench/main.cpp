// The convbench command line. Errors are caught here, once, and mapped to exit codes:
// 0 success, 2 usage or infrastructure error (bad flag, missing or corrupt file, no runtime);
// `check` also returns 1 for a FAIL verdict.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>

#include "check/check.hpp"
#include "check/verdict.hpp"
#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/catalogue.hpp"
#include "data/fetch.hpp"
#include "data/prepare.hpp"
#include "eval/evaluate.hpp"
#include "report/report.hpp"
#include "report/tables.hpp"
#include "runtime/coreml/coreml_platform.hpp"
#include "runtime/registry.hpp"
#include "runtime/worker_client.hpp"
#include "study/results_store.hpp"
#include "study/study.hpp"
#include "study/study_config.hpp"

namespace fs = std::filesystem;
using namespace convbench;

namespace {

// The whole text as a finite number, else nullopt ("nan", "inf", "1x", "" are not).
std::optional<double> finite_number(const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// A finite number within [lo, hi]. CLI11's own NonNegativeNumber lets "nan" through (nan < 0 is
// false), and a sentinel default would let "-1" switch a criterion off: both are refused here.
CLI::Validator finite_in(double lo, double hi = std::numeric_limits<double>::max()) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        const auto n = finite_number(text);
        if (!n) return fmt::format("'{}' is not a finite number", text);
        const double v = *n;
        if (v < lo || v > hi)
          return hi == std::numeric_limits<double>::max()
                     ? fmt::format("{} is below {}", text, lo)
                     : fmt::format("{} is outside [{}, {}]", text, lo, hi);
        return "";
      },
      hi == std::numeric_limits<double>::max() ? fmt::format("NUMBER >= {}", lo)
                                               : fmt::format("NUMBER in [{}, {}]", lo, hi));
}

// Writes a result file (JSON) atomically; the path is printed only once it is there.
void write_result(const std::string& path, const nlohmann::json& j, std::string_view what) {
  write_text(path, j.dump(2) + "\n");
  fmt::print("{}: {}\n", what, path);
}

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
  static PrepareOptions popt;
  prep->add_option("dataset", pdataset, "Dataset name")
      ->required()
      ->check(CLI::IsMember(dataset_names()));
  prep->add_option("--data-dir", pdir, "Directory with the dataset's files (as fetched)")
      ->required();
  prep->add_option("--out", pout, "Output directory")->required();
  prep->add_option("--vocab-size", popt.vocab_words,
                   "Text: keep the N most frequent training words (ids 0, 1 reserved: N+2 ids)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  prep->add_option("--seq-len", popt.seq_len, "Text: tokens per sample (pad/truncate)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  prep->add_option("--train-limit", popt.train_limit,
                   "Keep the first N training samples (0 = all; IMDb: class-balanced)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  prep->add_option("--test-limit", popt.test_limit,
                   "Keep the first N test samples (0 = all; IMDb: class-balanced)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  prep->callback([] {
    for (const auto& p : prepare_npy(pdataset, pdir, pout, popt)) fmt::print("{}\n", p.string());
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
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  ev->add_option("--threads", o.workers.threads, "Intra-op threads per runtime (0 = all cores)")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096));
  ev->add_option("--timeout", timeout_s, "Seconds a worker may take for one request")
      ->capture_default_str()
      ->check(finite_in(1e-3, 1e7));
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
    if (!json_out.empty()) write_result(json_out, to_json(r), "results");
  });
}

void add_study_commands(CLI::App& app) {
  auto* st = app.add_subcommand(
      "study", "Run the study matrix (models x frameworks x replicates), resumable, into SQLite");
  static std::string preset, config, out, data_root = "data", mirror;
  static int jobs = 0;
  static bool retry_failed = false, no_fetch = false, force_config = false;
  auto* p = st->add_option("--preset", preset, "A preset in config/study/ (smoke, quick, paper)");
  auto* c = st->add_option("--config", config, "A study config file (TOML)");
  p->excludes(c);
  st->add_option("--out", out, "Output directory (default runs/<study name>)");
  st->add_option("--data-dir", data_root, "Dataset cache directory")->capture_default_str();
  st->add_option("--mirror", mirror, "Local mirror of the official dataset files");
  st->add_option("--jobs", jobs, "Cells trained at once (default: the config's)")
      ->check(CLI::Range(1, 1024));
  st->add_flag("--retry-failed", retry_failed, "Run again the cells stored as failed");
  st->add_flag("--force-config", force_config,
               "Resume a store made with another config (recorded in the store; each cell keeps "
               "the hash of its own config)");
  st->add_flag("--no-fetch", no_fetch,
               "Use <data-dir>/<dataset> as it is (no download, no checksum check): own data");
  st->callback([] {
    if (preset.empty() && config.empty()) throw UsageError("study: give --preset or --config");
    const fs::path root = repo_root();
    const fs::path file = config.empty() ? preset_path(root, preset) : fs::path(config);
    const StudyConfig cfg = read_study_config(file, root / "config" / "models.toml");
    StudyOptions o;
    o.out_dir = out.empty() ? fs::path("runs") / cfg.name : fs::path(out);
    o.data_root = data_root;
    if (!mirror.empty()) o.mirror = fs::path(mirror);
    o.retry_failed = retry_failed;
    o.force_config = force_config;
    o.fetch = !no_fetch;
    if (jobs > 0) o.jobs = jobs;
    const StudySummary sum = run_study(cfg, o);
    ResultsStore store(o.out_dir / "results.sqlite", StoreAccess::read_only);
    for (const auto& f : write_tables(store, o.out_dir / "tables")) fmt::print("{}\n", f.string());
    std::ifstream md(o.out_dir / "tables" / "tables.md");
    fmt::print("\n{}\n", std::string(std::istreambuf_iterator<char>(md), {}));
    if (sum.failed > 0)
      fmt::print("{} cell(s) failed: see the log {} (cells keep their cause in the store)\n",
                 sum.failed, (o.out_dir / "study.log").string());
  });

  auto* tb = app.add_subcommand(
      "tables",
      "Write Tables I-VII (Markdown, CSV) and the data of Figs. 2-4 from a results store");
  static std::string store_path, tables_out;
  tb->add_option("--store", store_path, "results.sqlite of a study (opened read-only)")
      ->required()
      ->check(CLI::ExistingFile);
  tb->add_option("--out", tables_out, "Output directory")->required();
  tb->callback([] {
    ResultsStore store(store_path, StoreAccess::read_only);
    for (const auto& f : write_tables(store, tables_out)) fmt::print("{}\n", f.string());
  });
}

void add_report_command(CLI::App& app) {
  auto* rp = app.add_subcommand(
      "report", "Write the study report (HTML + Markdown, Tables I-VII, Figs. 2-4, exports)");
  static std::string store, out, paper;
  static bool no_paper = false, no_figures = false;
  rp->add_option("--store", store, "results.sqlite of a study (opened read-only)")
      ->required()
      ->check(CLI::ExistingFile);
  rp->add_option("--out", out, "Output directory")->required();
  auto* p = rp->add_option("--paper", paper,
                           "The paper's tables (default: ../shared/reference/paper_tables.csv "
                           "beside the checkout, when present)");
  rp->add_flag("--no-paper", no_paper, "No paper column")->excludes(p);
  rp->add_flag("--no-figures", no_figures, "Do not draw the figures (no Python)");
  rp->callback([] {
    ReportOptions o;
    o.store = store;
    o.out_dir = out;
    o.repo_root = repo_root();
    o.figures = !no_figures;
    if (!paper.empty()) {
      if (!fs::exists(paper)) throw UsageError(paper + ": no such paper reference file");
      o.paper_csv = fs::path(paper);
    } else if (no_paper) {
      o.paper_missing = "not requested (--no-paper)";
    } else {
      o.paper_csv = default_paper_csv(o.repo_root);
      o.paper_missing =
          "no paper reference found at " +
          (o.repo_root / ".." / "shared" / "reference" / "paper_tables.csv").string() +
          " (give --paper)";
    }
    for (const auto& f : write_report(o)) fmt::print("{}\n", f.string());
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

// A finite number, or a UsageError naming the flag.
double parse_number(std::string_view flag, const std::string& text) {
  const auto v = finite_number(text);
  if (!v) throw UsageError(fmt::format("{}: '{}' is not a finite number", flag, text));
  return *v;
}

// "1,28,28" / "1x128": positive dimensions, or a UsageError naming the flag.
Shape parse_dims(std::string_view flag, const std::string& text, char sep) {
  Shape out;
  for (const auto& d : CLI::detail::split(text, sep)) {
    if (d.empty() || d.size() > 12 || d.find_first_not_of("0123456789") != std::string::npos ||
        std::stoll(d) <= 0)
      throw UsageError(fmt::format("{} {}: '{}' is not a positive dimension", flag, text, d));
    out.push_back(std::stoll(d));
  }
  return out;
}

// `convbench check`: exit 0 pass, 1 fidelity/performance failure, 2 usage/infrastructure error.
int check_exit_code = 0;

void add_check_command(CLI::App& app) {
  auto* ck = app.add_subcommand(
      "check", "Gate a conversion: original vs converted on the same inputs -> PASS/FAIL + cause");
  static CheckOptions o;
  static std::string original, converted, model_dir, conversion = "onnx", config, json_out,
                                                     work_dir, generate, task_output;
  static double timeout_s = 600;
  static std::optional<double> max_mis_pct, max_acc_drop_pct, latency, size, atol, rtol;
  static std::vector<std::string> variants, shapes, ranges;
  static bool integer = false, no_diagnose = false, no_localise = false;
  ck->add_option("original", original, "The original model (SavedModel dir, .pt, .onnx)");
  ck->add_option("converted", converted, "The converted model (.onnx, .pt, SavedModel dir)");
  ck->add_option("--model-dir", model_dir,
                 "A zoo model directory (manifest.json): the two models, unless given as paths");
  ck->add_option("--conversion", conversion, "With --model-dir: which artefact to check")
      ->capture_default_str();
  ck->add_option("--dataset", o.inputs.dataset, "Inputs: a dataset's test split (mnist, ...)")
      ->check(CLI::IsMember(dataset_names()));
  ck->add_option("--data-dir", o.inputs.data_dir, "The dataset's official files");
  ck->add_option("--layout", o.inputs.layout, "Dataset inputs' layout (NCHW, NHWC, tokens)")
      ->capture_default_str()
      ->check(CLI::IsMember({"NCHW", "NHWC", "tokens"}));
  ck->add_option("--inputs", o.inputs.files, "Inputs: a .npy, .npz or a folder of .npy");
  ck->add_option("--generate", generate,
                 "Inputs: generated; 'auto' = every input the model declares, or one input's "
                 "per-sample shape e.g. 1,28,28");
  ck->add_option("--shape", shapes,
                 "With --generate auto: NAME:AxB... an input's shape (batch dimension replaced by "
                 "--count); repeatable");
  ck->add_option("--count", o.inputs.generate_count, "Generated samples")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  ck->add_option("--range", ranges,
                 "Generated value range low,high (all inputs) or NAME:low,high; repeatable "
                 "(default 0,1; integers 0,10)");
  ck->add_option("--task-output", o.task_output,
                 "The output holding class scores (argmax, accuracy); default: the first 2-D "
                 "float output");
  ck->add_flag("--integer", integer, "Generated values are whole numbers (token ids)");
  ck->add_option("--seed", o.inputs.seed, "Generator seed")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  ck->add_option("--limit", o.inputs.limit, "Use only the first N samples (0 = all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  ck->add_option("--config", config, "Thresholds from a TOML file (docs/check.md)");
  ck->add_option("--atol", atol, "Absolute tolerance (default 1e-5)")->check(finite_in(0));
  ck->add_option("--rtol", rtol, "Relative tolerance (default 1e-3)")->check(finite_in(0));
  ck->add_option("--max-misclassification", max_mis_pct,
                 "Max % of samples whose argmax changes (default 1)")
      ->check(finite_in(0, 100));
  ck->add_option("--max-accuracy-drop", max_acc_drop_pct, "Max accuracy drop in % points (labels)")
      ->check(finite_in(0, 100));
  ck->add_option("--max-latency-ratio", latency, "Max converted/original inference time")
      ->check(finite_in(0));
  ck->add_option("--max-size-ratio", size, "Max converted/original size on disk")
      ->check(finite_in(0));
  ck->add_option("--variants", variants, "Also evaluate ONNX variants: fp16,int8")
      ->delimiter(',')
      ->check(CLI::IsMember({"fp16", "int8"}));
  ck->add_option("--batch-size", o.batch_size, "Batch size")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  ck->add_option("--warmup", o.warmup_batches, "Untimed warm-up batches")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  ck->add_option("--threads", o.workers.threads, "Intra-op threads per runtime (0 = all cores)")
      ->check(CLI::Range(0, 4096));
  ck->add_option("--timeout", timeout_s, "Seconds a worker may take for one request")
      ->check(finite_in(1e-3, 1e7));
  ck->add_option("--signature", o.original.signature,
                 "SavedModel signature to run (default: serving_default)");
  ck->add_flag("--no-diagnose", no_diagnose, "Do not look for the cause of a failure");
  ck->add_flag("--no-localise", no_localise, "Do not localise the first diverging layer");
  ck->add_option("--work-dir", work_dir, "Where variants, activation dumps and logs go");
  ck->add_option("--json", json_out, "Write the verdict as JSON");
  ck->callback([] {
    o.workers.timeout = std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
    if (!model_dir.empty()) models_from_manifest(model_dir, conversion, o);
    // Explicit paths win; a --model-dir beside them still gives the dataset and its layout.
    if (!original.empty() || !converted.empty()) {
      if (original.empty() || converted.empty())
        throw UsageError("check: give both ORIGINAL and CONVERTED (or only --model-dir)");
      const auto signature = o.original.signature;
      o.original = infer_model(original);
      o.original.signature = signature;
      o.converted = infer_model(converted);
    } else if (model_dir.empty()) {
      throw UsageError("check: give ORIGINAL and CONVERTED, or --model-dir");
    }
    if (!generate.empty()) {
      if (generate == "auto")
        o.inputs.generate_auto = true;
      else
        o.inputs.generate_shape = parse_dims("--generate", generate, ',');
      for (const auto& r : ranges) {
        const auto colon = r.rfind(':');
        const auto lr =
            CLI::detail::split(colon == std::string::npos ? r : r.substr(colon + 1), ',');
        if (lr.size() != 2)
          throw UsageError(fmt::format("--range {}: give low,high or NAME:low,high", r));
        const double lo = parse_number("--range", lr[0]), hi = parse_number("--range", lr[1]);
        if (colon == std::string::npos) {
          o.inputs.low = lo;
          o.inputs.high = hi;
        } else {
          o.inputs.ranges[r.substr(0, colon)] = {lo, hi};
        }
      }
      for (const auto& sh : shapes) {
        const auto colon = sh.rfind(':');
        if (colon == std::string::npos || colon == 0)
          throw UsageError(fmt::format("--shape {}: give NAME:AxBx...", sh));
        o.inputs.shapes[sh.substr(0, colon)] = parse_dims("--shape", sh.substr(colon + 1), 'x');
      }
      o.inputs.integer = integer;
    } else if (!shapes.empty() || !ranges.empty()) {
      throw UsageError("--shape and --range apply to generated inputs: give --generate");
    }
    if (!config.empty()) read_thresholds(config, o.thresholds);
    auto& t = o.thresholds;  // flags override the config file
    if (atol) t.tolerance.atol = *atol;
    if (rtol) t.tolerance.rtol = *rtol;
    if (max_mis_pct) t.max_misclassification = *max_mis_pct / 100;
    if (max_acc_drop_pct) t.max_accuracy_drop = *max_acc_drop_pct / 100;
    if (latency) t.max_latency_ratio = *latency;
    if (size) t.max_size_ratio = *size;
    o.variants = variants;
    o.diagnose = !no_diagnose;
    o.localise = !no_localise;
    if (!work_dir.empty()) o.work_dir = work_dir;
    const CheckReport r = run_check(o);
    fmt::print("{}", verdict_text(r));
    if (!json_out.empty()) write_result(json_out, verdict_json(r), "verdict");
    check_exit_code = verdict_exit_code(r);
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"convbench: is my converted model still the same model?"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "convbench 0.1.0");
  add_data_commands(app);
  add_eval_command(app);
  add_study_commands(app);
  add_runtimes_command(app);
  add_report_command(app);
  add_check_command(app);
  // Logs and errors go to stderr; stdout carries only results (tables, verdicts, file paths).
  spdlog::set_default_logger(spdlog::stderr_color_mt("convbench"));
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::bad_alloc&) {
    spdlog::error(
        "out of memory: the inputs are larger than this machine can hold (use --limit "
        "or smaller inputs)");
    return 2;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 2;
  }
  return check_exit_code;
}
