#include "eval/evaluate.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/test_set.hpp"
#include "runtime/worker_client.hpp"

namespace convbench {
namespace {

using Clock = std::chrono::steady_clock;

// Loads the artefact in its worker and runs the whole input set through it.
void measure(ArtefactResult& r, const LabelledTensor& data, const EvalOptions& opt) {
  const auto& a = r.artefact;
  WorkerClient worker(worker_spec(r.worker, opt.workers, a.role));
  const auto loaded = worker.load(a.path, load_options(a, opt.workers));
  r.runtime = loaded.runtime;
  r.load_s = loaded.load_s;

  const std::int64_t n = data.inputs.rows();
  const std::int64_t bs = std::max<std::int64_t>(1, opt.batch_size);
  // Warm-up: the first batches pay for lazy initialisation and allocation; not timed.
  for (int w = 0; w < opt.warmup_batches && n > 0; ++w)
    worker.run(data.inputs.slice_rows(0, std::min(bs, n)));

  std::vector<Tensor> parts;
  std::vector<double> times;
  const auto t0 = Clock::now();
  for (std::int64_t b = 0; b < n; b += bs) {
    auto rep = worker.run(data.inputs.slice_rows(b, std::min(b + bs, n)));
    times.push_back(rep.run_s);
    parts.push_back(std::move(rep.output));
  }
  r.inference_wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  r.peak_rss_bytes = worker.peak_rss_bytes();
  r.outputs = concat_rows(parts);
  double total = 0;
  for (double t : times) total += t;
  r.inference_s = total;
  r.latency = latency_stats(times);

  if (r.outputs.rows() != n)
    fail<WorkerError>("{} returned {} output rows for {} inputs", worker.name(), r.outputs.rows(),
                      n);
  if (auto bad = first_non_finite_row(r.outputs))
    fail<WorkerError>("{} returned NaN/Inf outputs (first at test sample {}) for {}", worker.name(),
                      *bad, a.path.string());
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
    case ArtefactStatus::failed:
      return "failed";
  }
  return "?";
}

LoadOptions load_options(const Artefact& a, const WorkerSettings& workers) {
  LoadOptions lo;
  lo.threads = effective_threads(workers.threads);
  lo.input_name = a.tf_input;
  lo.output_name = a.tf_output;
  lo.gradient = {a.tf_grad_input, a.tf_grad_label, a.tf_grad_output};
  return lo;
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
    if (!opt.runtimes.empty())
      std::erase_if(runtimes, [&](const std::string& rt) {
        return std::find(opt.runtimes.begin(), opt.runtimes.end(), rt) == opt.runtimes.end();
      });
    if (runtimes.empty()) {
      res.artefacts.push_back(std::move(base));
      continue;
    }
    for (const auto& rt : runtimes) {
      ArtefactResult r = base;
      r.worker = rt;
      spdlog::info("{}: measuring {} ({}) in {}", a.role, a.path.string(), a.format, rt);
      try {
        measure(r, data, opt);
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
