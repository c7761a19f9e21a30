#include "report/differences.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

namespace convbench {
namespace {

struct ResultQuantity {
  const char* table;
  const char* quantity;
  bool paired;
};
constexpr ResultQuantity kResultQuantities[] = {
    {"I", "accuracy_pct", true},  {"II", "abs_error", false},
    {"II", "rel_error", false},   {"II", "misclassification_pct", false},
    {"III", "load_time_s", true}, {"III", "inference_time_s", true},
    {"IV", "size_mb", true},      {"III+", "latency_p50_ms", true},
    {"III+", "peak_rss_mb", true}};
constexpr const char* kConverted[] = {"onnx", "onnx_opencv", "coreml"};

std::optional<double> usable(const StoredResult& r, const std::string& quantity) {
  // Sizes exist even when a model cannot run (Core ML on Linux); other values need a run.
  if (r.status != "ok" && quantity != "size_mb") return std::nullopt;
  const auto v = result_quantity(r, quantity);
  return v && std::isfinite(*v) ? v : std::nullopt;
}

std::optional<double> finite(std::optional<double> v) {
  return v && std::isfinite(*v) ? v : std::nullopt;
}

Difference make(std::string table, std::string model, std::string framework, std::string attack,
                std::string quantity, std::string variant, bool paired) {
  Difference d;
  d.table = std::move(table);
  d.model = std::move(model);
  d.framework = std::move(framework);
  d.attack = std::move(attack);
  d.quantity = std::move(quantity);
  d.variant = std::move(variant);
  d.paired = paired;
  return d;
}

void finish(Difference& d, std::vector<Difference>& out) {
  if (d.values.empty()) return;
  d.mean = stats::mean(d.values);
  d.sd = stats::sample_sd(d.values);
  d.ci = stats::bootstrap_mean_ci(d.values);
  d.test = stats::one_sample_t(d.values);
  out.push_back(std::move(d));
}

}  // namespace

std::string Difference::verdict() const {
  if (!test) return fmt::format("not testable (n = {})", values.size());
  const std::string p = test->p < 1e-4 ? "p < 0.0001" : fmt::format("p = {:.3g}", test->p);
  return (significant() ? "significant (" : "not significant (") + p + ")";
}

std::vector<Difference> compute_differences(const std::vector<StoredResult>& results,
                                            const std::vector<StoredAttack>& attacks) {
  std::vector<Difference> out;
  // Results, by cell: the original's row and each conversion's.
  std::set<std::pair<std::string, std::string>> rows;
  for (const auto& r : results) rows.insert({r.model, r.framework});
  for (const auto& q : kResultQuantities)
    for (const auto& [model, fw] : rows)
      for (const char* variant : kConverted) {
        if (std::string(q.quantity) == "size_mb" && std::string(variant) == "onnx_opencv") continue;
        Difference d = make(q.table, model, fw, "", q.quantity, variant, q.paired);
        std::map<std::string, std::optional<double>> original;  // by cell
        for (const auto& r : results)
          if (r.model == model && r.framework == fw && result_is_variant(r, "original"))
            original[r.cell] = usable(r, q.quantity);
        for (const auto& r : results) {
          if (r.model != model || r.framework != fw || !result_is_variant(r, variant)) continue;
          const auto v = usable(r, q.quantity);
          if (!v) continue;
          if (!q.paired) {
            d.values.push_back(*v);
          } else if (const auto o = original.find(r.cell); o != original.end() && o->second) {
            d.values.push_back(*v - *o->second);
          }
        }
        finish(d, out);
      }

  // Attacks: (model, framework, attack, role) groups, one record per cell.
  std::map<std::pair<std::string, std::string>, double> r_of;
  for (const auto& r : robustness_indicator(attacks)) r_of[{r.cell, r.role}] = r.r;
  std::set<std::tuple<std::string, std::string, std::string, std::string>> groups;
  std::set<std::string> text_models;  // by the modality stored with each cell
  for (const auto& a : attacks) {
    groups.insert({a.model, a.framework, a.attack, a.role});
    if (a.modality == "text") text_models.insert(a.model);
  }
  const auto text = [&](const std::string& m) { return text_models.count(m) != 0; };
  for (const auto& [model, fw, attack, role] : groups) {
    const std::string fidelity_table = text(model) ? "VI" : "V";
    Difference abs = make(fidelity_table, model, fw, attack, "adv_abs_error", role, false);
    Difference mis =
        make(fidelity_table, model, fw, attack, "adv_misclassification_pct", role, false);
    Difference succ =
        make(text(model) ? "Fig4" : "Fig3", model, fw, attack, "success_rate_pct", role, true);
    for (const auto& a : attacks) {
      if (a.model != model || a.framework != fw || a.attack != attack || a.role != role) continue;
      if (const auto v = finite(a.abs_err_mean)) abs.values.push_back(*v);
      if (const auto v = finite(a.misclassification)) mis.values.push_back(*v * 100);
      const auto so = finite(a.success_original), sc = finite(a.success_converted);
      if (so && sc) succ.values.push_back((*sc - *so) * 100);
    }
    finish(abs, out);
    finish(mis, out);
    finish(succ, out);
  }
  std::set<std::tuple<std::string, std::string, std::string>> r_groups;
  for (const auto& a : attacks) r_groups.insert({a.model, a.framework, a.role});
  for (const auto& [model, fw, role] : r_groups) {
    Difference d = make("VII", model, fw, "", "robustness_indicator", role, false);
    std::set<std::string> seen;
    for (const auto& a : attacks)
      if (a.model == model && a.framework == fw && a.role == role && seen.insert(a.cell).second)
        if (const auto it = r_of.find({a.cell, role}); it != r_of.end())
          d.values.push_back(it->second);
    finish(d, out);
  }
  return out;
}

const Difference* difference_of(const std::vector<Difference>& diffs, const TableCell& c) {
  for (const auto& d : diffs)
    if (d.table == c.table && d.model == c.model && d.framework == c.framework &&
        d.attack == c.attack && d.quantity == c.quantity && d.variant == c.variant)
      return &d;
  return nullptr;
}

}  // namespace convbench
