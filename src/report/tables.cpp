#include "report/tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "core/error.hpp"
#include "core/file_io.hpp"

namespace convbench {
namespace {

struct Variant {
  const char* id;     // as in paper_tables.csv ("onnx"), plus our own "onnx_opencv"
  const char* label;  // column heading
  const char* role;
  const char* worker;  // "" = any (original: its framework's worker; coreml: none)
};
constexpr Variant kVariants[] = {{"original", "original", "original", ""},
                                 {"onnx", "ONNX (ORT)", "onnx", "onnxruntime"},
                                 {"onnx_opencv", "ONNX (OpenCV)", "onnx", "opencv"},
                                 {"coreml", "Core ML", "coreml", ""}};

struct Quantity {
  const char* table;
  const char* id;
  const char* label;
  std::function<std::optional<double>(const StoredResult&)> get;
  bool converted_only;  // only for conversions (errors against the original)
  const char* format;   // for mean and std
};

std::vector<Quantity> quantities() {
  auto pct = [](std::optional<double> v) { return v ? std::optional(*v * 100) : v; };
  auto mb = [](std::optional<double> v) { return v ? std::optional(*v / 1e6) : v; };
  return {
      {"I", "accuracy_pct", "accuracy %", [=](auto& r) { return pct(r.accuracy); }, false,
       "{:.2f}"},
      {"II", "abs_error", "abs. error", [](auto& r) { return r.abs_err_mean; }, true, "{:.2e}"},
      {"II", "rel_error", "rel. error", [](auto& r) { return r.rel_err_mean; }, true, "{:.2e}"},
      {"II", "misclassification_pct", "misclass. %",
       [=](auto& r) { return pct(r.misclassification); }, true, "{:.2f}"},
      {"III", "load_time_s", "load s", [](auto& r) { return r.load_s; }, false, "{:.4f}"},
      {"III", "inference_time_s", "inference s", [](auto& r) { return r.inference_s; }, false,
       "{:.3f}"},
      {"IV", "size_mb", "size MB", [=](auto& r) { return mb(r.size_bytes); }, false, "{:.3f}"},
      // Not in the paper: the rest of RQ2 that convbench measures.
      {"III+", "latency_p50_ms", "batch p50 ms",
       [](auto& r) { return r.latency_p50 ? std::optional(*r.latency_p50 * 1e3) : std::nullopt; },
       false, "{:.2f}"},
      {"III+", "peak_rss_mb", "peak RSS MB", [=](auto& r) { return mb(r.peak_rss_bytes); }, false,
       "{:.1f}"},
  };
}

bool matches(const StoredResult& r, const Variant& v) {
  return r.role == v.role && (*v.worker == '\0' || r.worker == v.worker);
}

std::string cell_text(const TableCell& c, const char* fmt) {
  if (!c.mean) return c.note.empty() ? "–" : c.note;
  std::string s = fmt::format(fmt::runtime(fmt), *c.mean);
  if (c.std) s += fmt::format(fmt::runtime(std::string(" (") + fmt + ")"), *c.std);
  if (c.n < c.replicates) s += fmt::format(" [n={}/{}]", c.n, c.replicates);
  return s;
}

// Mean and sample std of `values` into `c`, with the replicate count and why values are missing.
void fill_cell(TableCell& c, const std::vector<double>& values, int replicates,
               const std::vector<std::pair<std::string, std::string>>& status_errors) {
  c.replicates = replicates;
  c.n = static_cast<int>(values.size());
  if (!values.empty()) {
    double sum = 0;
    for (double x : values) sum += x;
    c.mean = sum / static_cast<double>(values.size());
    if (values.size() > 1) {
      double sq = 0;
      for (double x : values) sq += (x - *c.mean) * (x - *c.mean);
      c.std = std::sqrt(sq / static_cast<double>(values.size() - 1));  // sample std
    }
  }
  if (c.n >= c.replicates) return;
  std::set<std::string> statuses;
  for (const auto& se : status_errors) statuses.insert(se.first);
  c.note = statuses.count("not_runnable")        ? "not runnable on this platform"
           : statuses.count("not_run")           ? "not run (runtime not requested)"
           : statuses.count("conversion_failed") ? "conversion failed"
           : statuses.count("failed")            ? "failed"
           : status_errors.empty()               ? "not measured"
                                                 : "no value";
  for (const auto& [status, error] : status_errors)
    if ((status == "failed" || status == "conversion_failed") && !error.empty()) {
      c.error = error;
      break;
    }
}

struct QuantityInfo {
  const char* label;
  const char* format;
};

QuantityInfo quantity_info(const std::string& id) {
  static const std::map<std::string, QuantityInfo> info = {
      {"adv_abs_error", {"abs. error", "{:.2e}"}},
      {"adv_misclassification_pct", {"misclass. %", "{:.2f}"}},
      {"robustness_indicator", {"R", "{:.2f}"}},
      {"success_rate_pct", {"success %", "{:.1f}"}},
      {"queries_per_input", {"queries/input", "{:.0f}"}},
      {"attack_wall_s", {"attack s", "{:.1f}"}},
      {"median_perturbation", {"median pert.", "{:.3g}"}},
  };
  for (const auto& q : quantities())
    if (id == q.id) return {q.label, q.format};
  const auto it = info.find(id);
  return it == info.end() ? QuantityInfo{"?", "{:.3g}"} : it->second;
}

const Variant* variant_of(const std::string& id) {
  const auto v =
      std::find_if(std::begin(kVariants), std::end(kVariants), [&](auto& x) { return id == x.id; });
  return v == std::end(kVariants) ? nullptr : v;
}

}  // namespace

std::string display_framework(const std::string& f) {
  return f == "keras" ? "Keras" : f == "pytorch" ? "PyTorch" : f;
}

std::string display_attack(const std::string& a) {
  return a == "fgsm" ? "FGSM" : a == "boundary" ? "Boundary" : a == "genetic" ? "GA" : a;
}

std::string framework_id(const std::string& display) {
  return display == "Keras" ? "keras" : display == "PyTorch" ? "pytorch" : display;
}

std::string attack_id(const std::string& display) {
  return display == "FGSM"       ? "fgsm"
         : display == "Boundary" ? "boundary"
         : display == "GA"       ? "genetic"
                                 : display;
}

std::optional<double> result_quantity(const StoredResult& r, const std::string& quantity) {
  for (const auto& q : quantities())
    if (quantity == q.id) return q.get(r);
  throw Error("result_quantity: unknown quantity " + quantity);
}

bool result_is_variant(const StoredResult& r, const std::string& variant) {
  const auto* v = variant_of(variant);
  return v != nullptr && matches(r, *v);
}

std::string quantity_label(const std::string& quantity) { return quantity_info(quantity).label; }

std::string variant_label(const std::string& quantity, const std::string& variant) {
  const auto* v = variant_of(variant);
  return quantity == "size_mb" && variant == "onnx" ? "ONNX" : v != nullptr ? v->label : variant;
}

std::string format_quantity(const std::string& quantity, double value) {
  return fmt::format(fmt::runtime(quantity_info(quantity).format), value);
}

std::string table_title(const std::string& table) {
  static const std::map<std::string, std::string> titles = {
      {"I", "Table I — test accuracy (%) of original and converted models"},
      {"II", "Table II — output error and label disagreement of converted vs original"},
      {"III", "Table III — model load time and whole-test-set inference time (s)"},
      {"IV", "Table IV — on-disk size (MB)"},
      {"III+",
       "Table III+ (convbench, not in the paper) — per-batch latency p50 at the study's "
       "batch size (ms) and the runtime worker's peak RSS (MB)"},
      {"V",
       "Table V — CNNs under FGSM and Boundary: output abs. error and label disagreement (%) of "
       "converted vs original on the adversarial set"},
      {"VI",
       "Table VI — RNNs under the genetic attack (GA): output abs. error and label "
       "disagreement (%) of converted vs original on the adversarial set"},
      {"VII",
       "Table VII — robustness indicator R (sum over attacks of the min-max normalised change "
       "of success rate)"},
      {"Fig3", "Figure 3 data — attack success rate (%) on CNNs, original vs converted"},
      {"Fig4", "Figure 4 data — GA success rate (%) on RNNs, original vs converted"},
      {"RQ3+",
       "RQ3+ (convbench, not in the paper) — attack cost on the original (queries per attacked "
       "input, wall time) and median perturbation of successful examples (L2 for images, share "
       "of words modified for text)"}};
  const auto it = titles.find(table);
  return it == titles.end() ? "Table " + table : it->second;
}

std::vector<TableCell> aggregate_tables(const std::vector<StoredResult>& results) {
  // (model, framework) rows in the paper's order.
  std::set<std::pair<int, std::string>> row_keys;
  std::map<std::pair<std::string, std::string>, std::set<int>> replicates;
  for (const auto& r : results) {
    row_keys.insert({model_rank(r.model), r.model + "\n" + r.framework});
    replicates[{r.model, r.framework}].insert(r.replicate);
  }
  std::vector<TableCell> out;
  for (const auto& q : quantities())
    for (const auto& [rank, key] : row_keys) {
      const auto nl = key.find('\n');
      const std::string model = key.substr(0, nl), fw = key.substr(nl + 1);
      for (const auto& v : kVariants) {
        if (q.converted_only && std::string(v.id) == "original") continue;
        if (std::string(q.id) == "size_mb" && std::string(v.id) == "onnx_opencv") continue;
        std::vector<const StoredResult*> rows;
        std::vector<double> values;
        for (const auto& r : results)
          if (r.model == model && r.framework == fw && matches(r, v)) {
            rows.push_back(&r);
            // Sizes exist even when a model cannot run (Core ML on Linux).
            const bool usable = r.status == "ok" || std::string(q.id) == "size_mb";
            if (auto val = q.get(r); usable && val && std::isfinite(*val)) values.push_back(*val);
          }
        TableCell c;
        c.table = q.table;
        c.model = model;
        c.framework = fw;
        c.quantity = q.id;
        c.variant = v.id;
        std::vector<std::pair<std::string, std::string>> status_errors;
        for (const auto* r : rows) status_errors.emplace_back(r->status, r->error);
        fill_cell(c, values, static_cast<int>(replicates[{model, fw}].size()), status_errors);
        out.push_back(std::move(c));
      }
    }
  return out;
}

std::vector<TableCell> aggregate_attack_tables(const std::vector<StoredAttack>& attacks) {
  // R per (cell, conversion), computed over every record in the store (docs/robustness.md).
  std::map<std::pair<std::string, std::string>, double> r_of;
  for (const auto& r : robustness_indicator(attacks)) r_of[{r.cell, r.role}] = r.r;

  std::set<std::pair<int, std::string>> row_keys;
  std::map<std::pair<std::string, std::string>, std::set<int>> replicates;
  std::set<std::string> attack_names;
  std::set<std::string> text_models;  // by the modality stored with each cell
  for (const auto& a : attacks) {
    if (a.modality == "text") text_models.insert(a.model);
    row_keys.insert({model_rank(a.model), a.model + "\n" + a.framework});
    replicates[{a.model, a.framework}].insert(a.replicate);
    attack_names.insert(a.attack);
  }
  const auto pct = [](std::optional<double> v) { return v ? std::optional(*v * 100) : v; };
  using Get = std::function<std::optional<double>(const StoredAttack&)>;
  struct Spec {
    const char* quantity;
    Get get;
    bool per_attack;
  };
  // The paper's order (FGSM, Boundary, GA), then any other attack.
  std::vector<std::string> attack_order;
  attack_order.reserve(attack_names.size());
  for (const char* a : {"fgsm", "boundary", "genetic"})
    if (attack_names.erase(a)) attack_order.emplace_back(a);
  attack_order.insert(attack_order.end(), attack_names.begin(), attack_names.end());
  std::vector<TableCell> out;
  // One table's cells: rows x attacks x quantities x variants; `role` "" = the original.
  const auto emit = [&](const std::string& table, bool text_rows, const std::vector<Spec>& specs,
                        const std::vector<std::string>& variant_ids) {
    for (const auto& [rank, key] : row_keys) {
      const auto nl = key.find('\n');
      const std::string model = key.substr(0, nl), fw = key.substr(nl + 1);
      if ((text_models.count(model) != 0) != text_rows) continue;
      // The paper's layout: one column group per attack.
      const std::vector<std::string> no_attack{""};
      for (const auto& attack : specs.front().per_attack ? attack_order : no_attack)
        for (const auto& spec : specs)
          for (const auto& vid : variant_ids) {
            // The original's numbers (success on the original, attack cost) are the same in each
            // conversion's record of a cell: take one per cell.
            const std::string role = vid == "original" ? "" : vid;
            std::vector<double> values;
            std::vector<std::pair<std::string, std::string>> status_errors;
            std::set<std::string> cells_seen;
            bool any = false;
            for (const auto& a : attacks) {
              if (a.model != model || a.framework != fw) continue;
              if (!attack.empty() && a.attack != attack) continue;
              if (!role.empty() && a.role != role) continue;
              if (role.empty() && !cells_seen.insert(a.cell + "/" + a.attack).second) continue;
              any = true;
              status_errors.emplace_back(role.empty() ? "ok" : a.status, a.error);
              if (const auto v = spec.get(a); v && std::isfinite(*v)) values.push_back(*v);
            }
            if (!any) continue;
            if (attack.empty()) {  // one value per cell (R): deduplicate over attacks
              std::set<std::string> seen;
              values.clear();
              for (const auto& a : attacks)
                if (a.model == model && a.framework == fw && a.role == role &&
                    seen.insert(a.cell).second)
                  if (const auto v = spec.get(a)) values.push_back(*v);
            }
            TableCell c;
            c.table = table;
            c.model = model;
            c.framework = fw;
            c.attack = attack;
            c.quantity = spec.quantity;
            c.variant = vid;
            fill_cell(c, values, static_cast<int>(replicates[{model, fw}].size()), status_errors);
            out.push_back(std::move(c));
          }
    }
  };
  const std::vector<Spec> fidelity = {
      {"adv_abs_error", [](const StoredAttack& a) { return a.abs_err_mean; }, true},
      {"adv_misclassification_pct", [=](const StoredAttack& a) { return pct(a.misclassification); },
       true}};
  const std::vector<Spec> success = {
      {"success_rate_pct", [=](const StoredAttack& a) { return pct(a.success_converted); }, true}};
  const Get r_get = [&](const StoredAttack& a) -> std::optional<double> {
    const auto it = r_of.find({a.cell, a.role});
    return it == r_of.end() ? std::nullopt : std::optional(it->second);
  };
  emit("V", false, fidelity, {"onnx", "coreml"});
  emit("VI", true, fidelity, {"onnx", "coreml"});
  emit("VII", false, {{"robustness_indicator", r_get, false}}, {"onnx", "coreml"});
  emit("VII", true, {{"robustness_indicator", r_get, false}}, {"onnx", "coreml"});
  for (const bool text : {false, true}) {
    const std::string table = text ? "Fig4" : "Fig3";
    // The original's success rate, then each conversion's on the same adversarial set.
    emit(table, text,
         {{"success_rate_pct", [=](const StoredAttack& a) { return pct(a.success_original); },
           true}},
         {"original"});
    emit(table, text, success, {"onnx", "coreml"});
    emit("RQ3+", text,
         {{"queries_per_input",
           [](const StoredAttack& a) -> std::optional<double> {
             if (a.attacked == 0) return std::nullopt;
             return static_cast<double>(a.queries) / static_cast<double>(a.attacked);
           },
           true},
          {"attack_wall_s", [](const StoredAttack& a) { return std::optional(a.attack_wall_s); },
           true},
          {"median_perturbation", [](const StoredAttack& a) { return a.median_perturbation; },
           true}},
         {"original"});
  }
  return out;
}

std::string tables_markdown(const std::vector<TableCell>& cells) {
  static const std::vector<std::string> order = {"I",  "II",  "III",  "IV",   "III+", "V",
                                                 "VI", "VII", "Fig3", "Fig4", "RQ3+"};
  std::string md =
      "Each cell: mean (sample std) over replicates; `[n=k/m]` when only k of m replicates gave a "
      "value. ORT = ONNX Runtime.\n";
  for (const auto& table : order) {
    // Columns: every (attack, quantity, variant) present for this table, in order of appearance.
    using Col = std::tuple<std::string, std::string, std::string>;
    std::vector<Col> cols;
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& c : cells) {
      if (c.table != table) continue;
      if (std::find(cols.begin(), cols.end(), Col{c.attack, c.quantity, c.variant}) == cols.end())
        cols.emplace_back(c.attack, c.quantity, c.variant);
      if (std::find(rows.begin(), rows.end(), std::pair{c.model, c.framework}) == rows.end())
        rows.emplace_back(c.model, c.framework);
    }
    if (rows.empty()) continue;
    md += fmt::format("\n### {}\n\n| model | framework | n |", table_title(table));
    for (const auto& [attack, qid, vid] : cols) {
      const auto* v = variant_of(vid);
      // One file, two runtimes: size has a single ONNX column.
      const std::string vlabel = qid == "size_mb" && vid == "onnx" ? "ONNX"
                                 : v != nullptr                    ? v->label
                                                                   : vid;
      md += fmt::format(" {}{} {} |", attack.empty() ? "" : display_attack(attack) + " ",
                        quantity_info(qid).label, vlabel);
    }
    md += "\n|---|---|---|";
    for (std::size_t i = 0; i < cols.size(); ++i) md += "---|";
    md += "\n";
    for (const auto& [model, fw] : rows) {
      std::string line;
      int n = 0;
      for (const auto& col : cols) {
        const TableCell* found = nullptr;
        for (const auto& c : cells)
          if (c.table == table && c.model == model && c.framework == fw &&
              Col{c.attack, c.quantity, c.variant} == col)
            found = &c;
        if (found == nullptr) {
          line += " – |";
          continue;
        }
        line += " " + cell_text(*found, quantity_info(found->quantity).format) + " |";
        n = std::max(n, found->replicates);
      }
      md +=
          fmt::format("| {} | {} | {} |{}\n", display_model(model), display_framework(fw), n, line);
    }
  }
  // Every failure with its cause, once per model x framework x variant (the tables say "failed").
  std::string notes;
  std::set<std::string> seen;
  for (const auto& c : cells) {
    if (c.error.empty()) continue;
    const auto* v = variant_of(c.variant);
    const std::string where =
        fmt::format("{} / {} / {}{}", display_model(c.model), display_framework(c.framework),
                    v != nullptr ? v->label : c.variant,
                    c.attack.empty() ? "" : " / " + display_attack(c.attack));
    if (!seen.insert(where).second) continue;
    std::string err = c.error;
    std::replace(err.begin(), err.end(), '\n', ' ');
    if (err.size() > 400) err = err.substr(0, 400) + " ...";
    notes += fmt::format("- **{}** ({}): `{}`\n", where, c.note, err);
  }
  if (!notes.empty()) md += "\n### Failures and their causes\n\n" + notes;
  return md;
}

std::string tables_csv(const std::vector<TableCell>& cells) {
  // The column order of shared/reference/paper_tables.csv, then ours.
  std::string csv = "table,model,framework,attack,quantity,variant,mean,std,n,replicates,note\n";
  auto num = [](std::optional<double> v) { return v ? fmt::format("{:.9g}", *v) : std::string(); };
  for (const auto& c : cells)
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", c.table, display_model(c.model),
                       display_framework(c.framework),
                       c.attack.empty() ? "" : display_attack(c.attack), c.quantity, c.variant,
                       num(c.mean), num(c.std), c.n, c.replicates, c.note);
  return csv;
}

std::string history_csv(const std::vector<HistoryRow>& rows) {
  std::string csv = "model,framework,replicate,epoch,loss,accuracy,val_loss,val_accuracy\n";
  for (const auto& r : rows)
    csv += fmt::format("{},{},{},{},{:.6g},{:.6g},{:.6g},{:.6g}\n", display_model(r.model),
                       display_framework(r.framework), r.replicate, r.epoch, r.loss, r.accuracy,
                       r.val_loss, r.val_accuracy);
  return csv;
}

std::vector<std::filesystem::path> write_tables(ResultsStore& store,
                                                const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  auto cells = aggregate_tables(store.results());
  for (auto& c : aggregate_attack_tables(store.attacks())) cells.push_back(std::move(c));
  std::vector<std::pair<std::filesystem::path, std::string>> files = {
      {dir / "tables.md", tables_markdown(cells)},
      {dir / "tables.csv", tables_csv(cells)},
      {dir / "fig2_history.csv", history_csv(store.history())}};
  std::vector<std::filesystem::path> out;
  for (const auto& [p, text] : files) {
    write_text(p, text);
    out.push_back(p);
  }
  return out;
}

}  // namespace convbench
