#include "report/findings.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

namespace convbench {
namespace {

using RowKey = std::pair<std::string, std::string>;  // model, framework

std::string row_name(const RowKey& r) {
  return display_model(r.first) + " " + display_framework(r.second);
}

std::string variant_name(const std::string& v) {
  return v == "onnx" ? "ONNX" : v == "coreml" ? "Core ML" : v;
}

// paper[(model, framework)] of one table/quantity/variant.
std::map<RowKey, double> paper_rows(const PaperReference& paper, const std::string& table,
                                    const std::string& quantity, const std::string& variant) {
  std::map<RowKey, double> out;
  for (const auto& [k, v] : paper.values(table, quantity))
    if (std::get<5>(k) == variant) out[{std::get<1>(k), std::get<2>(k)}] = v.mean;
  return out;
}

const TableCell* cell(const std::vector<TableCell>& cells, const std::string& table,
                      const std::string& quantity, const std::string& variant, const RowKey& row) {
  for (const auto& c : cells)
    if (c.table == table && c.quantity == quantity && c.variant == variant &&
        c.model == row.first && c.framework == row.second && c.attack.empty())
      return &c;
  return nullptr;
}

// Why a variant has no values: the cells' own notes ("not runnable on this platform").
std::string missing_reason(const std::vector<TableCell>& cells, const std::string& table,
                           const std::string& variant) {
  std::set<std::string> notes;
  bool any = false;
  for (const auto& c : cells)
    if (c.table == table && c.variant == variant) {
      any = true;
      if (!c.note.empty()) notes.insert(c.note);
    }
  std::string s = !any            ? fmt::format("this store has no Table {} results", table)
                  : notes.empty() ? std::string("no values")
                                  : "";
  for (const auto& n : notes) s += (s.empty() ? "" : "; ") + n;
  // Said even when the store has no rows: it would not change with more data on Linux.
  if (variant == "coreml") s += " (Core ML runs only on Apple platforms: not on Linux)";
  return s;
}

// "The conversion keeps accuracy": |converted - original| within tolerance in every row.
Finding keeps_accuracy(const PaperReference& paper, const std::vector<TableCell>& cells,
                       const std::vector<Difference>& diffs, const std::string& variant,
                       const std::string& our_variant) {
  Finding f;
  f.source = "Table I";
  const auto orig = paper_rows(paper, "I", "accuracy_pct", "original");
  const auto conv = paper_rows(paper, "I", "accuracy_pct", variant);
  double max_d = 0;
  int rows = 0;
  for (const auto& [row, v] : conv)
    if (const auto o = orig.find(row); o != orig.end()) {
      max_d = std::max(max_d, std::fabs(v - o->second));
      ++rows;
    }
  const bool keeps = max_d <= kAccuracyTolerancePp;
  f.claim = keeps ? fmt::format("{} conversion keeps test accuracy (within {} pp)",
                                variant_name(variant), kAccuracyTolerancePp)
                  : fmt::format("{} conversion changes test accuracy by up to {:.2f} pp",
                                variant_name(variant), max_d);
  f.paper = fmt::format("max |converted − original| = {:.2f} pp over {} rows", max_d, rows);
  std::vector<const Difference*> ours;
  for (const auto& d : diffs)
    if (d.table == "I" && d.variant == our_variant) ours.push_back(&d);
  if (ours.empty()) {
    f.evidence = missing_reason(cells, "I", our_variant);
    return f;
  }
  double our_max = 0;
  std::string worst;
  int sig_out = 0, out_of_tol = 0;
  for (const auto* d : ours) {
    if (std::fabs(d->mean) >= our_max) {
      our_max = std::fabs(d->mean);
      worst = row_name({d->model, d->framework});
    }
    if (std::fabs(d->mean) > kAccuracyTolerancePp) {
      ++out_of_tol;
      if (d->significant()) ++sig_out;
    }
  }
  f.evidence = fmt::format(
      "max |Δ| = {:.2f} pp ({}) over {} rows; {} row(s) beyond {} pp, {} of "
      "them significant",
      our_max, worst, ours.size(), out_of_tol, kAccuracyTolerancePp, sig_out);
  const bool ours_keep = out_of_tol == 0;
  if (ours_keep == keeps)
    f.verdict = Verdict::supported;
  else if (keeps && sig_out == 0)
    f.evidence += ": beyond the tolerance but not significant with these replicates";
  else
    f.verdict = Verdict::contradicted;
  return f;
}

// "a is lower than b" for one table/quantity, in most rows (the paper's majority decides the
// direction of the claim).
Finding lower_than(const PaperReference& paper, const std::vector<TableCell>& cells,
                   const std::vector<Difference>& diffs, const std::string& table,
                   const std::string& quantity, const std::string& what, const std::string& variant,
                   const std::string& our_variant) {
  Finding f;
  f.source = "Table " + table;
  const auto orig = paper_rows(paper, table, quantity, "original");
  const auto conv = paper_rows(paper, table, quantity, variant);
  int lower = 0, rows = 0;
  for (const auto& [row, v] : conv)
    if (const auto o = orig.find(row); o != orig.end()) {
      ++rows;
      if (v <= o->second) ++lower;
    }
  const bool claim_lower = 2 * lower > rows;
  f.claim = fmt::format("{} conversions have a {} {} than the originals", variant_name(variant),
                        claim_lower ? "lower" : "higher", what);
  f.paper = fmt::format("{} in {} of {} rows", claim_lower ? "lower or equal" : "higher",
                        claim_lower ? lower : rows - lower, rows);
  int ours_lower = 0, n = 0, sig = 0;
  for (const auto& d : diffs)
    if (d.table == table && d.quantity == quantity && d.variant == our_variant) {
      ++n;
      const bool l = d.mean <= 0;
      if (l) ++ours_lower;
      if (l == claim_lower && d.significant()) ++sig;
    }
  if (n == 0) {
    f.evidence = missing_reason(cells, table, our_variant);
    return f;
  }
  const int agree = claim_lower ? ours_lower : n - ours_lower;
  f.evidence = fmt::format("{} in {} of {} rows ({} of them significant)",
                           claim_lower ? "lower or equal" : "higher", agree, n, sig);
  if (2 * agree > n)
    f.verdict = Verdict::supported;
  else if (2 * agree < n)
    f.verdict = Verdict::contradicted;
  else
    f.evidence += ": a tie, no majority either way";
  return f;
}

// "PyTorch RNN inference is slower than Keras" (original models, Table III).
Finding framework_speed(const PaperReference& paper, const std::vector<TableCell>& cells) {
  Finding f;
  f.source = "Table III";
  const auto p = paper_rows(paper, "III", "inference_time_s", "original");
  int slower = 0, rows = 0;
  std::string detail;
  for (const char* m : {"lstm", "gru"}) {
    const auto pt = p.find({m, "pytorch"}), k = p.find({m, "keras"});
    if (pt == p.end() || k == p.end()) continue;
    ++rows;
    if (pt->second > k->second) ++slower;
    detail += fmt::format("{}{}: {:.3g} s vs {:.3g} s", detail.empty() ? "" : "; ",
                          display_model(m), pt->second, k->second);
  }
  const bool claim_slower = 2 * slower > rows;
  f.claim = fmt::format("PyTorch RNN (LSTM, GRU) inference is {} than Keras's",
                        claim_slower ? "slower" : "faster");
  f.paper = "PyTorch vs Keras originals, " + detail;
  int agree = 0, n = 0;
  std::string ours;
  for (const char* m : {"lstm", "gru"}) {
    const auto* pt = cell(cells, "III", "inference_time_s", "original", {m, "pytorch"});
    const auto* k = cell(cells, "III", "inference_time_s", "original", {m, "keras"});
    if (pt == nullptr || k == nullptr || !pt->mean || !k->mean) continue;
    ++n;
    if ((*pt->mean > *k->mean) == claim_slower) ++agree;
    ours += fmt::format("{}{}: {:.3g} s vs {:.3g} s", ours.empty() ? "" : "; ", display_model(m),
                        *pt->mean, *k->mean);
  }
  if (n == 0) {
    f.evidence = "no Table III inference times of both frameworks' RNN originals in this store";
    return f;
  }
  f.evidence = fmt::format("{} (agrees in {} of {})", ours, agree, n);
  f.verdict = agree == n   ? Verdict::supported
              : agree == 0 ? Verdict::contradicted
                           : Verdict::cannot_test;
  if (f.verdict == Verdict::cannot_test) f.evidence += ": the models disagree";
  return f;
}

// "Core ML conversions are more vulnerable than ONNX" (Table VII, mean R over rows).
Finding vulnerability(const PaperReference& paper, const std::vector<TableCell>& cells) {
  Finding f;
  f.source = "Table VII";
  const auto mean_of = [](const std::map<RowKey, double>& m) {
    double s = 0;
    for (const auto& [k, v] : m) s += v;
    return m.empty() ? 0.0 : s / static_cast<double>(m.size());
  };
  const auto po = paper_rows(paper, "VII", "robustness_indicator", "onnx");
  const auto pc = paper_rows(paper, "VII", "robustness_indicator", "coreml");
  const bool claim_coreml = mean_of(pc) > mean_of(po);
  f.claim = fmt::format(
      "{} conversions are more vulnerable to adversarial attacks than {} ones "
      "(higher robustness indicator R)",
      claim_coreml ? "Core ML" : "ONNX", claim_coreml ? "ONNX" : "Core ML");
  f.paper = fmt::format("mean R: Core ML {:.2f}, ONNX {:.2f} over {} rows", mean_of(pc),
                        mean_of(po), pc.size());
  std::map<RowKey, double> oo, oc;
  for (const auto& c : cells)
    if (c.table == "VII" && c.mean)
      (c.variant == "onnx" ? oo : oc)[{c.model, c.framework}] = *c.mean;
  if (oo.empty() || oc.empty()) {
    f.evidence = oc.empty() ? "Core ML: " + missing_reason(cells, "VII", "coreml")
                            : "ONNX: " + missing_reason(cells, "VII", "onnx");
    return f;
  }
  f.evidence = fmt::format("mean R: Core ML {:.2f}, ONNX {:.2f}", mean_of(oc), mean_of(oo));
  f.verdict =
      (mean_of(oc) > mean_of(oo)) == claim_coreml ? Verdict::supported : Verdict::contradicted;
  return f;
}

}  // namespace

std::string to_string(Verdict v) {
  return v == Verdict::supported      ? "supported"
         : v == Verdict::contradicted ? "contradicted"
                                      : "cannot test";
}

std::vector<Finding> assess_findings(const PaperReference& paper,
                                     const std::vector<TableCell>& cells,
                                     const std::vector<Difference>& diffs) {
  if (!paper.loaded()) return {};
  return {
      keeps_accuracy(paper, cells, diffs, "onnx", "onnx"),
      keeps_accuracy(paper, cells, diffs, "coreml", "coreml"),
      lower_than(paper, cells, diffs, "III", "inference_time_s", "inference time", "onnx", "onnx"),
      lower_than(paper, cells, diffs, "III", "load_time_s", "load time", "onnx", "onnx"),
      framework_speed(paper, cells),
      lower_than(paper, cells, diffs, "IV", "size_mb", "size on disk", "onnx", "onnx"),
      vulnerability(paper, cells)};
}

}  // namespace convbench
