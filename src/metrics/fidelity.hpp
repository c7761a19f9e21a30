#pragma once
// RQ1 metrics: accuracy, output error between original and converted, label disagreement.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/tensor.hpp"

namespace convbench {

// Mean, population standard deviation (divide by n) and maximum of per-sample values.
struct Summary {
  double mean = 0, std = 0, max = 0;
};
Summary summarize(std::span<const double> values);

std::vector<std::int64_t> argmax_rows(const Tensor& outputs);

// Share (0..1) of rows whose argmax equals the label.
double accuracy(const Tensor& outputs, std::span<const std::int64_t> labels);

// Denominator floor of the relative error: |y_c - y_o| / max(|y_o|, kRelErrorFloor). Softmax
// outputs hold many values near 0, where a plain ratio explodes on float32 round-off.
inline constexpr double kRelErrorFloor = 1e-6;

struct Fidelity {
  Summary abs_error;           // per sample: mean over elements of |y_c - y_o|
  Summary rel_error;           // per sample: mean over elements of |y_c - y_o| / max(|y_o|, floor)
  double max_abs_element = 0;  // the largest single |y_c - y_o|
  double misclassification = 0;  // share (0..1) of samples whose argmax differs
  std::int64_t disagreements = 0;
};

// Throws DataError when the shapes differ.
Fidelity compare_outputs(const Tensor& original, const Tensor& converted);

// Index of the first sample holding a NaN or Inf, if any.
std::optional<std::int64_t> first_non_finite_row(const Tensor& t);

}  // namespace convbench
