#pragma once
// What `convbench check` accepts: tolerances and limits, from flags or a TOML file.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace convbench {

// Polygraphy's elementwise rule: an element fails only when BOTH |c - o| > atol and
// |c - o| / max(|o|, floor) > rtol.
struct Tolerance {
  double atol = 1e-5;
  double rtol = 1e-3;
};

struct Thresholds {
  Tolerance tolerance;                          // the model's output (workers return one)
  std::map<std::string, Tolerance> per_output;  // by output name; overrides `tolerance`
  double max_misclassification = 0.01;          // share 0..1 of samples whose argmax differs
  std::optional<double> max_accuracy_drop;      // share 0..1; only when labels are known
  std::optional<double> max_latency_ratio;      // converted / original whole-set inference time
  std::optional<double> max_size_ratio;         // converted / original bytes on disk
  std::string source;                           // the TOML file read, if any (for errors)

  // The tolerance for an output name (per_output entry, else the default).
  Tolerance for_output(const std::string& name) const;
};

// Reads a TOML file into `t` (keys present override, others keep their values):
//   atol = 1e-5          rtol = 1e-3
//   max_misclassification = 0.01   max_accuracy_drop = 0.005
//   max_latency_ratio = 2.0        max_size_ratio = 1.5
//   [output.<name>]  atol = ...  rtol = ...
// Shares may be written as percentages with a "_pct" suffix (max_misclassification_pct = 1).
// UsageError naming the file and key on a bad value.
void read_thresholds(const std::filesystem::path& file, Thresholds& t);

}  // namespace convbench
