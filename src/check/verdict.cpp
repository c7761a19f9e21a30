#include "check/verdict.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace convbench {
namespace {

std::string measured(const Criterion& c) {
  if (c.name.starts_with("elementwise"))
    return fmt::format("{:.3g}% of elements fail", 100 * c.measured);
  if (c.name == "misclassification" || c.name == "accuracy_drop")
    return fmt::format("{:.2f}% (limit {:.2f}%)", 100 * c.measured, 100 * c.limit);
  if (c.name == "latency_ratio" || c.name == "size_ratio")
    return fmt::format("{:.3f}x (limit {:.3f}x)", c.measured, c.limit);
  return "";
}

void candidate_text(std::string& s, const CandidateReport& c) {
  s += fmt::format("\n{}: {}  [{}]  {}\n", c.label, c.passed() ? "PASS" : "FAIL",
                   c.model.path.string(), c.runtime);
  if (!c.error.empty()) {
    s += fmt::format("  could not be evaluated: {}\n", c.error);
    return;
  }
  if (c.outputs.size() > 1)
    s += fmt::format("  {} outputs compared, matched by {}\n", c.outputs.size(),
                     c.outputs_matched_by);
  else if (c.outputs_matched_by == "position" && !c.outputs.empty())
    s += fmt::format("  output '{}' compared with '{}' (matched by position)\n",
                     c.outputs.front().original, c.outputs.front().converted);
  for (const auto& w : c.warnings) s += fmt::format("  warning: {}\n", w);
  if (!c.precision.empty())
    s += fmt::format(
        "  precision: {} — reduced precision costs output error by design; the errors below "
        "include it\n",
        c.precision);
  for (const auto& k : c.criteria)
    s += fmt::format("  {} {}: {}{}{}\n", k.passed ? "ok  " : "FAIL", k.name, measured(k),
                     measured(k).empty() ? "" : "; ", k.detail);
  if (c.label == "converted" && c.passed()) {
    // The largest errors over every output compared, not only the class scores'.
    double max_abs = 0, max_rel = 0;
    for (const auto& o : c.outputs) {
      max_abs = std::max(max_abs, o.elementwise.max_abs);
      max_rel = std::max(max_rel, o.elementwise.max_rel);
    }
    s += fmt::format(
        "  all criteria met; max abs error {:.3g}, max rel {:.3g} (over {} output{}){}\n", max_abs,
        max_rel, c.outputs.size(), c.outputs.size() == 1 ? "" : "s",
        c.elementwise.elements > 0
            ? fmt::format(", argmax disagreement {:.2f}%", 100 * c.misclassification)
            : "");
  }
  if (!c.passed() && !c.elementwise.worst.empty()) {
    s += "  worst samples (index: max abs, max rel, argmax original -> converted):";
    for (const auto& w : c.elementwise.worst)
      s += fmt::format(" {}: {:.3g}, {:.3g}, {}->{};", w.index, w.max_abs, w.max_rel,
                       w.original_label, w.converted_label);
    s += "\n";
  }
  const bool fidelity_failed =
      std::any_of(c.criteria.begin(), c.criteria.end(), [](const Criterion& k) {
        return !k.passed && (k.name.starts_with("elementwise") || k.name == "misclassification" ||
                             k.name == "accuracy_drop");
      });
  if (fidelity_failed && c.label == "converted" &&
      std::none_of(c.findings.begin(), c.findings.end(),
                   [](const Finding& f) { return f.confirmed; }))
    s += "  no diagnosis rule confirms a cause (output order, training mode, output activation, "
         "batch size, input layout/preprocessing, recurrent conventions)\n";
  for (const auto& f : c.findings)
    s += fmt::format("  {} {}\n      evidence: {}\n", f.confirmed ? "CAUSE:" : "suspect:", f.cause,
                     f.evidence);
  if (c.localisation) {
    const auto& l = *c.localisation;
    if (!l.possible) {
      s += fmt::format("  localisation not possible: {}\n", l.reason);
    } else if (l.first_divergent) {
      const auto& d = l.layers[*l.first_divergent];
      s += fmt::format(
          "  first diverging layer: {} ({}; ONNX node {} [{}]): max abs {:.3g}, max rel {:.3g}, "
          "{} of {} elements beyond tolerance ({} layers matched by {}, {} unmatched)\n",
          d.layer, d.layer_type, d.onnx_node, d.op_type, d.max_abs, d.max_rel, d.failed_elements,
          d.elements, l.layers.size(), l.matching, l.unmatched.size());
      // The chain that still agrees, so the reader sees where the error is not.
      const std::size_t first = *l.first_divergent, shown = std::min<std::size_t>(first, 6);
      if (first > 0) {
        double worst = 0;
        std::vector<std::string> names;
        for (std::size_t i = 0; i < first; ++i) worst = std::max(worst, l.layers[i].max_abs);
        for (std::size_t i = first - shown; i < first; ++i) names.push_back(l.layers[i].layer);
        s += fmt::format("  agreeing before it: {} layer(s){}{} (largest max abs {:.3g})\n", first,
                         first > shown ? ", the last: ... " : ": ", fmt::join(names, ", "), worst);
      }
    } else {
      s += fmt::format(
          "  localisation: all {} matched layers agree within tolerance; the error "
          "arises after the last matched layer ({})\n",
          l.layers.size(), l.layers.empty() ? "" : l.layers.back().layer);
    }
  }
}

nlohmann::json candidate_json(const CandidateReport& c) {
  nlohmann::json j = {{"label", c.label},
                      {"path", c.model.path.string()},
                      {"format", c.model.format},
                      {"runtime", c.runtime},
                      {"passed", c.passed()}};
  if (!c.error.empty()) {
    j["error"] = c.error;
    return j;
  }
  j["size_bytes"] = c.size_bytes;
  j["inference_s"] = c.inference_s;
  j["accuracy"] = c.accuracy ? nlohmann::json(*c.accuracy) : nlohmann::json(nullptr);
  j["misclassification"] = c.misclassification;
  const auto& e = c.elementwise;
  auto worst = nlohmann::json::array();
  for (const auto& w : e.worst)
    worst.push_back({{"index", w.index},
                     {"max_abs", w.max_abs},
                     {"max_rel", w.max_rel},
                     {"failed_elements", w.failed_elements},
                     {"original_label", w.original_label},
                     {"converted_label", w.converted_label}});
  j["elementwise"] = {{"atol", e.tolerance.atol},
                      {"rtol", e.tolerance.rtol},
                      {"elements", e.elements},
                      {"failed_elements", e.failed_elements},
                      {"failed_samples", e.failed_samples},
                      {"max_abs", e.max_abs},
                      {"max_rel", e.max_rel},
                      {"min_passing_atol", e.min_passing_atol},
                      {"min_passing_rtol", e.min_passing_rtol},
                      {"worst", worst}};
  auto outs = nlohmann::json::array();
  for (const auto& o : c.outputs)
    outs.push_back({{"original", o.original},
                    {"converted", o.converted},
                    {"passed", o.elementwise.passed()},
                    {"elements", o.elementwise.elements},
                    {"failed_elements", o.elementwise.failed_elements},
                    {"max_abs", o.elementwise.max_abs},
                    {"max_rel", o.elementwise.max_rel},
                    {"vacuous_scale", o.vacuous_scale ? nlohmann::json(*o.vacuous_scale)
                                                      : nlohmann::json(nullptr)}});
  j["outputs"] = outs;
  j["precision"] = c.precision.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.precision);
  j["warnings"] = c.warnings;
  j["outputs_matched_by"] = c.outputs_matched_by;
  auto crit = nlohmann::json::array();
  for (const auto& k : c.criteria)
    crit.push_back({{"name", k.name},
                    {"passed", k.passed},
                    {"measured", k.measured},
                    {"limit", k.limit},
                    {"detail", k.detail}});
  j["criteria"] = crit;
  auto fnd = nlohmann::json::array();
  for (const auto& f : c.findings)
    fnd.push_back({{"rule", f.rule},
                   {"cause", f.cause},
                   {"evidence", f.evidence},
                   {"confirmed", f.confirmed}});
  j["diagnosis"] = fnd;
  if (c.localisation) {
    const auto& l = *c.localisation;
    auto layers = nlohmann::json::array();
    for (const auto& d : l.layers)
      layers.push_back({{"layer", d.layer},
                        {"layer_type", d.layer_type},
                        {"onnx_node", d.onnx_node},
                        {"op_type", d.op_type},
                        {"max_abs", d.max_abs},
                        {"max_rel", d.max_rel},
                        {"elements", d.elements},
                        {"failed_elements", d.failed_elements}});
    j["localisation"] = {
        {"possible", l.possible},
        {"reason", l.reason},
        {"matching", l.matching},
        {"first_divergent",
         l.first_divergent ? nlohmann::json(l.layers[*l.first_divergent].layer) : nullptr},
        {"layers", layers},
        {"unmatched", l.unmatched}};
  }
  return j;
}

}  // namespace

std::string verdict_text(const CheckReport& r) {
  std::string s = fmt::format("convbench check: {}\n", r.passed() ? "PASS" : "FAIL");
  s += fmt::format("original: {} [{}] {}\n", r.original.path.string(), r.original.format,
                   r.original_runtime);
  s += fmt::format(
      "inputs: {} samples of shape {} ({}){}\n", r.samples, shape_str(r.sample_shape), r.inputs,
      r.original_accuracy ? fmt::format("; original accuracy {:.4f}", *r.original_accuracy) : "");
  if (r.feed.size() > 1) s += fmt::format("fed: {}\n", fmt::join(r.feed, "; "));
  s += r.task_output.empty()
           ? "no class-score (2-D float) output: argmax disagreement and accuracy not judged\n"
           : "";
  for (const auto& c : r.candidates) candidate_text(s, c);
  s += fmt::format("\n{:.1f} s; batch {}, {} threads\n", r.wall_s, r.batch_size, r.threads);
  return s;
}

nlohmann::json verdict_json(const CheckReport& r) {
  const auto& t = r.thresholds;
  auto opt = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json j = {{"verdict", r.passed() ? "PASS" : "FAIL"},
                      {"exit_code", verdict_exit_code(r)},
                      {"original",
                       {{"path", r.original.path.string()},
                        {"format", r.original.format},
                        {"runtime", r.original_runtime},
                        {"size_bytes", r.original_size_bytes},
                        {"inference_s", r.original_inference_s},
                        {"accuracy", opt(r.original_accuracy)}}},
                      {"inputs",
                       {{"source", r.inputs},
                        {"samples", r.samples},
                        {"sample_shape", r.sample_shape},
                        {"feed", r.feed},
                        {"task_output", r.task_output},
                        {"labelled", r.labelled}}},
                      {"thresholds",
                       {{"atol", t.tolerance.atol},
                        {"rtol", t.tolerance.rtol},
                        {"max_misclassification", t.max_misclassification},
                        {"max_accuracy_drop", opt(t.max_accuracy_drop)},
                        {"max_latency_ratio", opt(t.max_latency_ratio)},
                        {"max_size_ratio", opt(t.max_size_ratio)}}},
                      {"batch_size", r.batch_size},
                      {"threads", r.threads},
                      {"wall_s", r.wall_s}};
  auto cands = nlohmann::json::array();
  for (const auto& c : r.candidates) cands.push_back(candidate_json(c));
  j["candidates"] = cands;
  return j;
}

int verdict_exit_code(const CheckReport& r) { return r.passed() ? 0 : 1; }

}  // namespace convbench
