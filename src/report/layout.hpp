#pragma once
// What the report shows, before it is written as HTML or Markdown: every table in the paper's
// layout (rows model x framework, columns [attack] quantity variant), each cell with our mean
// (std), replicate count, significance mark of its difference, and the paper's value; the
// differences with their statistics; the findings; the figures. Both renderers read this.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report/differences.hpp"
#include "report/figures.hpp"
#include "report/findings.hpp"
#include "report/paper_reference.hpp"
#include "report/tables.hpp"

namespace convbench {

struct ShownCell {
  std::string ours;  // "99.12 (0.03)", or why there is none ("not runnable on this platform")
  int n = 0, replicates = 0;
  std::string mark;  // "*" significant, "n.s.", "?" not testable; "" when no difference
  std::optional<std::string> paper;  // "99.85", "0.21 (8.4e-03)"; nullopt: the paper has none
  bool has_value = false;
};

struct ShownDifference {
  std::string row, column;  // "LeNet-5 Keras", "accuracy % ONNX (ORT)"
  std::string kind;         // "paired: converted − original" | "value vs 0"
  std::string delta, ci, test, verdict;
  bool significant = false;
};

struct ShownTable {
  std::string id, title;  // "I", "Table I — ..."
  bool in_paper = true;   // false: convbench's own additions (III+, RQ3+)
  std::string note;       // what to keep in mind reading it
  std::vector<std::string> columns;
  struct Row {
    std::string model, framework;  // display names
    int replicates = 0;
    std::vector<ShownCell> cells;
  };
  std::vector<Row> rows;
  bool ours_empty = true;  // no cell of ours has a value (e.g. no attack results yet)
  std::vector<ShownDifference> differences;
};

struct ReportData {
  std::string study, store, created, generated_by;
  int cells_done = 0, cells_failed = 0;
  Comparability comparability;
  std::string paper_source;   // the CSV read, or "" when none
  std::string paper_missing;  // why there is no paper column
  std::vector<ShownTable> tables;
  std::vector<Finding> findings;
  std::map<std::string, FigureFile> figures;  // fig2, fig3, fig4
  std::vector<std::string> failures;  // "LeNet-5 / Keras / Core ML (conversion failed): ..."
};

std::vector<ShownTable> layout_tables(const std::vector<TableCell>& cells,
                                      const PaperReference& paper,
                                      const std::vector<Difference>& diffs);

// Figure titles and captions (shared by both renderers).
std::string figure_title(const std::string& id);

}  // namespace convbench
