#include "report/layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

namespace convbench {
namespace {

// The tables in the order they are shown; III+ and RQ3+ are convbench's, not the paper's.
const std::vector<std::string> kTableOrder = {"I",   "II",   "III",  "IV",   "V",   "VI",
                                              "VII", "Fig3", "Fig4", "III+", "RQ3+"};
const std::vector<std::string> kAttacks = {"", "fgsm", "boundary", "genetic"};
const std::vector<std::string> kQuantities = {"accuracy_pct",
                                              "abs_error",
                                              "rel_error",
                                              "misclassification_pct",
                                              "load_time_s",
                                              "inference_time_s",
                                              "size_mb",
                                              "adv_abs_error",
                                              "adv_misclassification_pct",
                                              "robustness_indicator",
                                              "success_rate_pct",
                                              "latency_p50_ms",
                                              "peak_rss_mb",
                                              "queries_per_input",
                                              "attack_wall_s",
                                              "median_perturbation"};
const std::vector<std::string> kVariants = {"original", "onnx", "onnx_opencv", "coreml"};

template <typename T>
int rank(const std::vector<T>& order, const T& v) {
  return static_cast<int>(std::find(order.begin(), order.end(), v) - order.begin());
}

using Col = std::tuple<std::string, std::string, std::string>;  // attack, quantity, variant

std::string column_label(const Col& c) {
  const auto& [attack, quantity, variant] = c;
  return fmt::format("{}{} {}", attack.empty() ? "" : display_attack(attack) + " ",
                     quantity_label(quantity), variant_label(quantity, variant));
}

std::string value_text(const std::string& quantity, double mean, std::optional<double> std) {
  std::string s = format_quantity(quantity, mean);
  if (std) s += " (" + format_quantity(quantity, *std) + ")";
  return s;
}

std::string signed_value(const std::string& quantity, double v) {
  return (v > 0 ? "+" : "") + format_quantity(quantity, v);
}

std::string table_note(const std::string& id) {
  if (id == "III" || id == "III+")
    return "Times depend on the machine and the runtime build: the paper's were measured on a "
           "dual-core 1.6 GHz MacBook Air (macOS), ours on this machine's CPU runtimes. Compare "
           "ratios between columns, not seconds between the two sources.";
  if (id == "II" || id == "V" || id == "VI")
    return "These values already compare the converted model with the original; their "
           "statistics test whether the mean is 0.";
  if (id == "VII")
    return "R is normalised over every record in the store (Eq. 4), so it depends on which "
           "models were attacked. The paper's ONNX ResNet-18 Keras cell (0.12) is a raw change, "
           "not normalised (shared/reference/README.md).";
  if (id == "Fig3" || id == "Fig4")
    return "The data of the figure; the paper gives it only as a chart, so there is no paper "
           "column.";
  return "";
}

}  // namespace

std::string figure_title(const std::string& id) {
  if (id == "fig2")
    return "Figure 2 — training and validation accuracy and loss per epoch, per model and "
           "framework (mean over replicates)";
  if (id == "fig3")
    return "Figure 3 — attack success rate (%) on the CNNs before (original) and after conversion "
           "(ONNX, Core ML), per attack";
  if (id == "fig4")
    return "Figure 4 — GA attack success rate (%) on the RNNs before and after conversion";
  return id;
}

std::vector<ShownTable> layout_tables(const std::vector<TableCell>& cells,
                                      const PaperReference& paper,
                                      const std::vector<Difference>& diffs) {
  std::vector<ShownTable> out;
  for (const auto& id : kTableOrder) {
    ShownTable t;
    t.id = id;
    t.title = table_title(id);
    t.in_paper = id != "III+" && id != "RQ3+";
    t.note = table_note(id);
    // Rows and columns: ours and the paper's together, so a table we have no data for still
    // shows the paper's layout and values.
    std::set<std::tuple<int, std::string, std::string>> rows;
    std::set<std::tuple<int, int, int, Col>> cols;
    const auto add = [&](const std::string& model, const std::string& fw, const Col& col) {
      rows.insert({model_rank(model), model, fw});
      cols.insert({rank(kAttacks, std::get<0>(col)), rank(kQuantities, std::get<1>(col)),
                   rank(kVariants, std::get<2>(col)), col});
    };
    for (const auto& c : cells)
      if (c.table == id) add(c.model, c.framework, {c.attack, c.quantity, c.variant});
    if (paper.loaded())
      for (const auto& q : kQuantities)
        for (const auto& [k, v] : paper.values(id, q))
          add(std::get<1>(k), std::get<2>(k), {std::get<3>(k), std::get<4>(k), std::get<5>(k)});
    if (rows.empty()) continue;
    for (const auto& col : cols) t.columns.push_back(column_label(std::get<3>(col)));
    for (const auto& [r, model, fw] : rows) {
      ShownTable::Row row{display_model(model), display_framework(fw), 0, {}};
      for (const auto& col_entry : cols) {
        const auto& [attack, quantity, variant] = std::get<3>(col_entry);
        ShownCell sc;
        const TableCell* found = nullptr;
        for (const auto& c : cells)
          if (c.table == id && c.model == model && c.framework == fw && c.attack == attack &&
              c.quantity == quantity && c.variant == variant)
            found = &c;
        TableCell key = found != nullptr ? *found : TableCell{};
        key.table = id;
        key.model = model;
        key.framework = fw;
        key.attack = attack;
        key.quantity = quantity;
        key.variant = variant;
        if (found == nullptr) {
          sc.ours = "not measured";
        } else {
          sc.n = found->n;
          sc.replicates = found->replicates;
          row.replicates = std::max(row.replicates, found->replicates);
          sc.has_value = found->mean.has_value();
          sc.ours = found->mean ? value_text(quantity, *found->mean, found->std)
                                : (found->note.empty() ? "no value" : found->note);
          if (const auto* d = difference_of(diffs, *found))
            sc.mark = !d->test ? "?" : d->significant() ? "*" : "n.s.";
          if (sc.has_value) t.ours_empty = false;
        }
        if (const auto p = paper.find(key)) sc.paper = value_text(quantity, p->mean, p->std);
        row.cells.push_back(std::move(sc));
      }
      t.rows.push_back(std::move(row));
    }
    for (const auto& d : diffs) {
      if (d.table != id) continue;
      ShownDifference sd;
      sd.row = display_model(d.model) + " " + display_framework(d.framework);
      sd.column = column_label({d.attack, d.quantity, d.variant});
      sd.kind = d.paired ? "converted − original (paired)" : "value vs 0";
      sd.delta = signed_value(d.quantity, d.mean) + fmt::format(" (n = {})", d.values.size());
      sd.ci = d.ci ? fmt::format("[{}, {}]", signed_value(d.quantity, d.ci->lo),
                                 signed_value(d.quantity, d.ci->hi))
                   : fmt::format("not informative (n = {} < {})", d.values.size(),
                                 stats::kMinBootstrapN);
      sd.test = !d.test ? "–"
                : std::isinf(d.test->t)
                    ? fmt::format("constant difference, df = {:.3g}", d.test->df)
                    : fmt::format("t = {:.3g}, df = {:.3g}", d.test->t, d.test->df);
      sd.verdict = d.verdict();
      sd.significant = d.significant();
      t.differences.push_back(std::move(sd));
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace convbench
