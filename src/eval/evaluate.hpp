#pragma once
// `convbench eval`: one original model and its conversions, on one dataset's test split, each
// artefact in its own runtime worker; then RQ1 (fidelity) and RQ2 (cost) for every artefact.
// A failing artefact (conversion failed, worker crashed, NaN outputs, Core ML on Linux) becomes
// a result with its cause; the others' results are kept.
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/model_inputs.hpp"
#include "eval/manifest.hpp"
#include "metrics/fidelity.hpp"
#include "metrics/latency.hpp"
#include "runtime/registry.hpp"

namespace convbench {

struct EvalOptions {
  std::filesystem::path model_dir;
  std::filesystem::path data_dir;  // the dataset's official files
  std::int64_t batch_size = 100;
  int warmup_batches = 2;
  std::int64_t limit = 0;  // first N test samples; 0 = all
  WorkerSettings workers;
  std::vector<std::string> runtimes;  // only these workers (e.g. {"onnxruntime"}); empty = all
};

// not_run: none of its runtimes was among the requested ones (--runtimes, eval.runtimes): nothing
// was measured, and it says so rather than showing an empty "ok" row.
enum class ArtefactStatus { ok, conversion_failed, not_runnable, not_run, failed };
std::string_view to_string(ArtefactStatus s);

struct ArtefactResult {
  Artefact artefact;
  ArtefactStatus status = ArtefactStatus::ok;
  std::string error;
  std::string worker;   // which runtime worker ran it ("onnxruntime", "opencv", ...); empty: none
  std::string runtime;  // that runtime's name and version as it reports itself
  std::optional<std::uintmax_t> size_bytes;
  std::optional<double> load_s;
  std::optional<double> inference_s;       // sum of in-worker batch times, whole test set
  std::optional<double> inference_wall_s;  // the same pass seen from outside (incl. the pipe)
  std::optional<LatencyStats> latency;     // per batch, after warm-up
  std::optional<std::uint64_t> peak_rss_bytes;
  std::uint64_t pipe_bytes = 0;  // through the worker's pipe over the timed pass
  std::optional<double> accuracy;
  std::optional<Fidelity> fidelity;  // against the original
  std::string fidelity_error;
  Tensor outputs;  // the first output (class scores) as float32; not serialised
};

struct EvalResult {
  Manifest manifest;
  std::int64_t samples = 0;
  std::int64_t batch_size = 0;
  int warmup_batches = 0;
  int threads = 0;
  std::vector<ArtefactResult> artefacts;
  LabelledTensor data;  // the inputs measured, with their labels (not serialised; RQ3 uses them)
};

EvalResult evaluate(const EvalOptions& options);

// What a worker needs to load an artefact (threads, the TF signatures' tensor names).
LoadOptions load_options(const Artefact& a, const WorkerSettings& workers);

nlohmann::json to_json(const EvalResult& r);
std::string to_table(const EvalResult& r);

}  // namespace convbench
