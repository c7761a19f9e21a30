// JSON (schema: docs/eval-json.md) and the terminal table of an EvalResult.
#include <fmt/format.h>

#include "eval/evaluate.hpp"

namespace convbench {
namespace {

template <typename T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json summary_json(const Summary& s) {
  return {{"mean", s.mean}, {"std", s.std}, {"max", s.max}};
}

std::string cell(const std::optional<double>& v, const char* f = "{:.3f}") {
  return v ? fmt::format(fmt::runtime(f), *v) : "-";
}

}  // namespace

nlohmann::json to_json(const EvalResult& r) {
  nlohmann::json j;
  j["schema"] = 1;
  j["model"] = r.manifest.model;
  j["framework"] = r.manifest.framework;
  j["dataset"] = r.manifest.dataset;
  j["model_dir"] = r.manifest.dir.string();
  j["samples"] = r.samples;
  j["batch_size"] = r.batch_size;
  j["warmup_batches"] = r.warmup_batches;
  j["threads"] = r.threads;
  j["manifest"] = r.manifest.raw;
  j["artefacts"] = nlohmann::json::array();
  for (const auto& a : r.artefacts) {
    nlohmann::json x;
    x["role"] = a.artefact.role;
    x["format"] = a.artefact.format;
    x["path"] = a.artefact.path.string();
    x["converter"] = a.artefact.converter;
    x["status"] = to_string(a.status);
    x["error"] = a.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.error);
    x["worker"] = a.worker.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.worker);
    x["runtime"] = a.runtime;
    x["size_bytes"] = opt(a.size_bytes);
    x["load_s"] = opt(a.load_s);
    x["inference_s"] = opt(a.inference_s);
    x["inference_wall_s"] = opt(a.inference_wall_s);
    if (a.pipe_bytes > 0) x["pipe_bytes"] = a.pipe_bytes;
    x["peak_rss_bytes"] = opt(a.peak_rss_bytes);
    x["accuracy"] = opt(a.accuracy);
    if (a.latency)
      x["latency_s"] = {{"batch_size", r.batch_size}, {"batches", a.latency->count},
                        {"mean", a.latency->mean},    {"p50", a.latency->p50},
                        {"p95", a.latency->p95},      {"p99", a.latency->p99},
                        {"min", a.latency->min},      {"max", a.latency->max}};
    else
      x["latency_s"] = nullptr;
    if (a.fidelity)
      x["fidelity"] = {{"abs_error", summary_json(a.fidelity->abs_error)},
                       {"rel_error", summary_json(a.fidelity->rel_error)},
                       {"rel_error_floor", kRelErrorFloor},
                       {"max_abs_element", a.fidelity->max_abs_element},
                       {"misclassification", a.fidelity->misclassification},
                       {"disagreements", a.fidelity->disagreements}};
    else
      x["fidelity"] = nullptr;
    if (!a.fidelity_error.empty()) x["fidelity_error"] = a.fidelity_error;
    j["artefacts"].push_back(std::move(x));
  }
  return j;
}

std::string to_table(const EvalResult& r) {
  std::string out =
      fmt::format("{} / {} on {} ({} test samples, batch {}, {} warm-up batches, {} threads)\n",
                  r.manifest.model, r.manifest.framework, r.manifest.dataset, r.samples,
                  r.batch_size, r.warmup_batches, r.threads);
  constexpr auto row = "{:<9} {:<22} {:>8} {:>9} {:>8} {:>9} {:>28} {:>9} {:>24} {:>10} {:>8}\n";
  out += fmt::format(row, "artefact", "runtime", "size MB", "load s", "infer s", "acc %",
                     "batch ms p50/p95/p99", "RSS MB", "abs err mean (std)", "rel err", "mis %");
  for (const auto& a : r.artefacts) {
    const auto mb = [](std::optional<std::uint64_t> b) -> std::optional<double> {
      return b ? std::optional<double>(static_cast<double>(*b) / 1e6) : std::nullopt;
    };
    std::string lat = "-", abs = "-", rel = "-", mis = "-";
    if (a.latency)
      lat = fmt::format("{:.3f}/{:.3f}/{:.3f}", a.latency->p50 * 1e3, a.latency->p95 * 1e3,
                        a.latency->p99 * 1e3);
    if (a.fidelity) {
      abs = fmt::format("{:.2e} ({:.1e})", a.fidelity->abs_error.mean, a.fidelity->abs_error.std);
      rel = fmt::format("{:.2e}", a.fidelity->rel_error.mean);
      mis = fmt::format("{:.2f}", a.fidelity->misclassification * 100);
    }
    const std::optional<double> acc =
        a.accuracy ? std::optional<double>(*a.accuracy * 100) : std::nullopt;
    out +=
        fmt::format(row, a.artefact.role,
                    !a.runtime.empty() ? a.runtime
                    : a.worker.empty() ? "-"
                                       : a.worker,
                    cell(mb(a.size_bytes), "{:.3f}"), cell(a.load_s), cell(a.inference_s),
                    cell(acc, "{:.2f}"), lat, cell(mb(a.peak_rss_bytes), "{:.1f}"), abs, rel, mis);
  }
  for (const auto& a : r.artefacts) {
    if (a.status != ArtefactStatus::ok)
      out += fmt::format("  {}{} [{}]: {}\n", a.artefact.role,
                         a.worker.empty() ? "" : " in " + a.worker, to_string(a.status), a.error);
    if (!a.fidelity_error.empty())
      out += fmt::format("  {} [fidelity not computed]: {}\n", a.artefact.role, a.fidelity_error);
  }
  return out;
}

}  // namespace convbench
