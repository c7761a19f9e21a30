#pragma once
// The paper's findings as its own tables state them, each checked against this run's tables:
// supported, contradicted, or cannot test (with the reason). Claims are read from the paper's
// values (shared/reference/paper_tables.csv), verdicts from our cells and their differences;
// nothing is decided in advance (docs/report.md lists the rules).
#include <string>
#include <vector>

#include "report/differences.hpp"
#include "report/paper_reference.hpp"
#include "report/tables.hpp"

namespace convbench {

enum class Verdict { supported, contradicted, cannot_test };
std::string to_string(Verdict v);

struct Finding {
  std::string source;  // "Table I"
  std::string claim;   // as the paper's values state it
  std::string paper;   // the paper's evidence, in numbers
  Verdict verdict = Verdict::cannot_test;
  std::string evidence;  // ours, or why it cannot be tested
};

// Accuracy is "kept" when |converted - original| <= this many percentage points.
constexpr double kAccuracyTolerancePp = 0.1;

std::vector<Finding> assess_findings(const PaperReference& paper,
                                     const std::vector<TableCell>& cells,
                                     const std::vector<Difference>& diffs);

}  // namespace convbench
