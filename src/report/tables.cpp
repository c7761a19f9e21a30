#include "report/tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>

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

const std::vector<std::string> kModelOrder = {"lenet5", "resnet18", "vgg16", "lstm", "gru"};

int model_rank(const std::string& m) {
  const auto it = std::find(kModelOrder.begin(), kModelOrder.end(), m);
  return static_cast<int>(it - kModelOrder.begin());
}

bool matches(const StoredResult& r, const Variant& v) {
  return r.role == v.role && (*v.worker == '\0' || r.worker == v.worker);
}

std::string why_missing(const std::vector<const StoredResult*>& rows) {
  std::set<std::string> statuses;
  for (const auto* r : rows) statuses.insert(r->status);
  if (statuses.count("not_runnable")) return "not runnable on this platform";
  if (statuses.count("conversion_failed")) return "conversion failed";
  if (statuses.count("failed")) return "failed";
  return rows.empty() ? "not measured" : "no value";
}

std::string cell_text(const TableCell& c, const char* fmt) {
  if (!c.mean) return c.note.empty() ? "–" : c.note;
  std::string s = fmt::format(fmt::runtime(fmt), *c.mean);
  if (c.std) s += fmt::format(fmt::runtime(std::string(" (") + fmt + ")"), *c.std);
  if (c.n < c.replicates) s += fmt::format(" [n={}/{}]", c.n, c.replicates);
  return s;
}

}  // namespace

std::string display_model(const std::string& m) {
  static const std::map<std::string, std::string> names = {{"lenet5", "LeNet-5"},
                                                           {"resnet18", "ResNet-18"},
                                                           {"vgg16", "VGG-16"},
                                                           {"lstm", "LSTM"},
                                                           {"gru", "GRU"}};
  const auto it = names.find(m);
  return it == names.end() ? m : it->second;
}

std::string display_framework(const std::string& f) {
  return f == "keras" ? "Keras" : f == "pytorch" ? "PyTorch" : f;
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
        c.replicates = static_cast<int>(replicates[{model, fw}].size());
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
        if (c.n < c.replicates) {
          c.note = why_missing(rows);
          for (const auto* r : rows)
            if ((r->status == "failed" || r->status == "conversion_failed") && !r->error.empty()) {
              c.error = r->error;
              break;
            }
        }
        out.push_back(std::move(c));
      }
    }
  return out;
}

std::string tables_markdown(const std::vector<TableCell>& cells) {
  static const std::map<std::string, std::string> titles = {
      {"I", "Table I — test accuracy (%) of original and converted models"},
      {"II", "Table II — output error and label disagreement of converted vs original"},
      {"III", "Table III — model load time and whole-test-set inference time (s)"},
      {"IV", "Table IV — on-disk size (MB)"},
      {"III+",
       "Table III+ (convbench, not in the paper) — per-batch latency p50 at the study's "
       "batch size (ms) and the runtime worker's peak RSS (MB)"}};
  const auto qs = quantities();
  std::string md =
      "Each cell: mean (sample std) over replicates; `[n=k/m]` when only k of m replicates gave a "
      "value. ORT = ONNX Runtime.\n";
  for (const auto& [table, title] : titles) {
    // Columns: every (quantity, variant) pair present for this table, in order.
    std::vector<std::pair<std::string, std::string>> cols;
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& c : cells) {
      if (c.table != table) continue;
      if (std::find(cols.begin(), cols.end(), std::pair{c.quantity, c.variant}) == cols.end())
        cols.emplace_back(c.quantity, c.variant);
      if (std::find(rows.begin(), rows.end(), std::pair{c.model, c.framework}) == rows.end())
        rows.emplace_back(c.model, c.framework);
    }
    if (rows.empty()) continue;
    md += fmt::format("\n### {}\n\n| model | framework | n |", title);
    // (Plain names, not structured bindings: lambdas may not capture those before C++20 in clang.)
    const auto quantity_of = [&](const std::string& id) {
      return std::find_if(qs.begin(), qs.end(), [&](auto& x) { return id == x.id; });
    };
    for (const auto& col : cols) {
      const std::string& qid = col.first;
      const std::string& vid = col.second;
      const auto q = quantity_of(qid);
      const auto v = std::find_if(std::begin(kVariants), std::end(kVariants),
                                  [&](auto& x) { return vid == x.id; });
      // One file, two runtimes: size has a single ONNX column.
      md +=
          fmt::format(" {} {} |", q->label, qid == "size_mb" && vid == "onnx" ? "ONNX" : v->label);
    }
    md += "\n|---|---|---|" + [&] {
      std::string s;
      for (std::size_t i = 0; i < cols.size(); ++i) s += "---|";
      return s;
    }() + "\n";
    for (const auto& [model, fw] : rows) {
      std::string line;
      int n = 0;
      for (const auto& [qid, vid] : cols)
        for (const auto& c : cells)
          if (c.table == table && c.model == model && c.framework == fw && c.quantity == qid &&
              c.variant == vid) {
            const auto q = quantity_of(qid);
            line += " " + cell_text(c, q->format) + " |";
            n = c.replicates;
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
    const auto v = std::find_if(std::begin(kVariants), std::end(kVariants),
                                [&](auto& x) { return c.variant == x.id; });
    const std::string where = fmt::format("{} / {} / {}", display_model(c.model),
                                          display_framework(c.framework), v->label);
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
  std::string csv = "table,model,framework,quantity,variant,mean,std,n,replicates,note\n";
  auto num = [](std::optional<double> v) { return v ? fmt::format("{:.9g}", *v) : std::string(); };
  for (const auto& c : cells)
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", c.table, display_model(c.model),
                       display_framework(c.framework), c.quantity, c.variant, num(c.mean),
                       num(c.std), c.n, c.replicates, c.note);
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
  const auto cells = aggregate_tables(store.results());
  std::vector<std::pair<std::filesystem::path, std::string>> files = {
      {dir / "tables.md", tables_markdown(cells)},
      {dir / "tables.csv", tables_csv(cells)},
      {dir / "fig2_history.csv", history_csv(store.history())}};
  std::vector<std::filesystem::path> out;
  for (const auto& [p, text] : files) {
    std::ofstream(p) << text;
    out.push_back(p);
  }
  return out;
}

}  // namespace convbench
