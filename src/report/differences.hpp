#pragma once
// Every original-vs-converted difference the report's tables show, per replicate, with its 95%
// bootstrap CI and t test (src/report/stats.hpp; methods in docs/report.md):
// - paired: converted - original of the same trained instance (Tables I, III, IV, III+; the
//   success rates of Figs. 3/4), paired t test;
// - vs zero: quantities that already measure the converted model against the original (Tables
//   II, V, VI, VII), one-sample t test of mean = 0.
#include <optional>
#include <string>
#include <vector>

#include "report/stats.hpp"
#include "report/tables.hpp"
#include "study/results_store.hpp"

namespace convbench {

constexpr double kAlpha = 0.05;

struct Difference {
  std::string table, model, framework, attack, quantity, variant;  // as the converted cell
  bool paired = true;          // false: the value itself is the difference, tested against 0
  std::vector<double> values;  // per replicate: converted - original, or the value
  double mean = 0, sd = 0;
  std::optional<stats::Interval> ci;  // nullopt: fewer than 3 replicates, no informative CI
  std::optional<stats::TTest> test;   // nullopt: fewer than 2 replicates
  bool significant() const { return test && test->p < kAlpha; }
  std::string verdict() const;  // "significant (p = 0.012)", "not significant (p = 0.41)", ...
};

std::vector<Difference> compute_differences(const std::vector<StoredResult>& results,
                                            const std::vector<StoredAttack>& attacks);

// The difference behind a table cell, if it has one.
const Difference* difference_of(const std::vector<Difference>& diffs, const TableCell& c);

}  // namespace convbench
