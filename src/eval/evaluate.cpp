#include "eval/evaluate.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/test_set.hpp"
#include "runtime/model_runner.hpp"

namespace convbench {
namespace {

using Clock = std::chrono::steady_clock;

// Loads the artefact in its worker and runs the whole input set through it.
void measure(ArtefactResult& r, const LabelledTensor& data, DType input_dtype,
             const EvalOptions& opt) {
  const auto& a = r.artefact;
  ModelRunner runner(r.worker, a.path, load_options(a, opt.workers), opt.workers, a.role);
  r.runtime = runner.loaded().runtime;
  r.load_s = runner.loaded().load_s;
  const SetRun run =
      runner.run_set(runner.feed(data.inputs, input_dtype), opt.batch_size, opt.warmup_batches);
  r.inference_wall_s = run.wall_s;
  r.inference_s = run.inference_s;
  r.latency = latency_stats(run.batch_s);
  r.pipe_bytes = run.pipe_bytes;
  r.peak_rss_bytes = runner.peak_rss_bytes();
  if (run.outputs.empty())
    fail<WorkerError>("{} returned no outputs for {}", r.worker, a.path.string());
  // The study's models have one output, the class scores: the metrics are computed on it.
  r.outputs = to_f32(run.outputs.front());
  r.accuracy = accuracy(r.outputs, data.labels);
}

}  // namespace

std::string_view to_string(ArtefactStatus s) {
  switch (s) {
    case ArtefactStatus::ok:
      return "ok";
    case ArtefactStatus::conversion_failed:
      return "conversion_failed";
    case ArtefactStatus::not_runnable:
      return "not_runnable";
    case ArtefactStatus::not_run:
      return "not_run";
    case ArtefactStatus::failed:
      return "failed";
  }
  return "?";
}

LoadOptions load_options(const Artefact& /*a*/, const WorkerSettings& workers) {
  LoadOptions lo;
  lo.threads = effective_threads(workers.threads);
  return lo;  // TF: serving_default, whose tensors the worker reads from the SavedModel
}

EvalResult evaluate(const EvalOptions& opt) {
  EvalResult res;
  res.manifest = read_manifest(opt.model_dir);
  res.batch_size = opt.batch_size;
  res.warmup_batches = opt.warmup_batches;
  res.threads = effective_threads(opt.workers.threads);
  TestSetOptions ts{res.manifest.layout, opt.limit, {}, 0};
  // Text models name their vocabulary (relative to the model directory) and sequence length.
  if (const auto& in = res.manifest.raw.at("input"); in.contains("vocab_file")) {
    ts.vocab_file = res.manifest.dir / in.at("vocab_file").get<std::string>();
    ts.seq_len = in.value("seq_len", std::int64_t{0});
  }
  res.data = load_test_set(res.manifest.dataset, opt.data_dir, ts);
  const auto& data = res.data;
  res.samples = data.inputs.rows();
  spdlog::info("{} ({}): {} test samples of shape {}", res.manifest.model, res.manifest.framework,
               res.samples, shape_str(data.inputs.shape));

  for (const auto& a : res.manifest.artefacts) {
    ArtefactResult base;
    base.artefact = a;
    if (std::filesystem::exists(a.path)) base.size_bytes = disk_size(a.path);
    std::vector<std::string> runtimes;
    if (a.status != "ok") {
      base.status = ArtefactStatus::conversion_failed;
      base.error = a.error.empty() ? "conversion failed (no error recorded)" : a.error;
    } else if (!std::filesystem::exists(a.path)) {
      base.status = ArtefactStatus::failed;
      base.error = a.path.string() + ": artefact missing";
    } else {
      try {
        runtimes = runtimes_for_format(a.format);
      } catch (const WorkerError& e) {  // Core ML on Linux: a result, not an error
        base.status = ArtefactStatus::not_runnable;
        base.error = e.what();
      }
    }
    if (!opt.runtimes.empty() && !runtimes.empty()) {
      const auto all = runtimes;
      std::erase_if(runtimes, [&](const std::string& rt) {
        return std::find(opt.runtimes.begin(), opt.runtimes.end(), rt) == opt.runtimes.end();
      });
      if (runtimes.empty()) {
        base.status = ArtefactStatus::not_run;
        base.error = fmt::format("not run: its runtimes ({}) are not among those requested ({})",
                                 fmt::join(all, ", "), fmt::join(opt.runtimes, ", "));
      }
    }
    if (runtimes.empty()) {
      res.artefacts.push_back(std::move(base));
      continue;
    }
    for (const auto& rt : runtimes) {
      ArtefactResult r = base;
      r.worker = rt;
      spdlog::info("{}: measuring {} ({}) in {}", a.role, a.path.string(), a.format, rt);
      try {
        measure(r, data, dataset_input_dtype(res.manifest.dataset), opt);
      } catch (const Error& e) {
        r.status = ArtefactStatus::failed;
        r.error = e.what();
        r.outputs = {};
        spdlog::error("{} in {}: {}", a.role, rt, r.error);
      }
      res.artefacts.push_back(std::move(r));
    }
  }

  const auto& orig = res.artefacts.front();
  for (auto& r : res.artefacts) {
    if (&r == &orig || r.status != ArtefactStatus::ok) continue;
    if (orig.status != ArtefactStatus::ok) {
      r.fidelity_error = "original could not be run: " + orig.error;
      continue;
    }
    try {
      r.fidelity = compare_outputs(orig.outputs, r.outputs);
    } catch (const Error& e) {
      r.fidelity_error = e.what();
    }
  }
  return res;
}

}  // namespace convbench
