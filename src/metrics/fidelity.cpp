#include "metrics/fidelity.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace convbench {

Summary summarize(std::span<const double> v) {
  Summary s;
  if (v.empty()) return s;
  double sum = 0;
  s.max = v.front();
  for (double x : v) {
    sum += x;
    s.max = std::max(s.max, x);
  }
  s.mean = sum / static_cast<double>(v.size());
  double sq = 0;
  for (double x : v) sq += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(sq / static_cast<double>(v.size()));
  return s;
}

std::vector<std::int64_t> argmax_rows(const Tensor& t) {
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(t.rows()));
  for (std::int64_t i = 0; i < t.rows(); ++i) {
    const auto r = t.row(i);
    out.push_back(std::max_element(r.begin(), r.end()) - r.begin());
  }
  return out;
}

double accuracy(const Tensor& outputs, std::span<const std::int64_t> labels) {
  if (static_cast<std::size_t>(outputs.rows()) != labels.size())
    fail<DataError>("{} output rows for {} labels", outputs.rows(), labels.size());
  if (labels.empty()) return 0;
  const auto pred = argmax_rows(outputs);
  std::int64_t hits = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) hits += pred[i] == labels[i];
  return static_cast<double>(hits) / static_cast<double>(labels.size());
}

Fidelity compare_outputs(const Tensor& o, const Tensor& c) {
  if (o.shape != c.shape)
    fail<DataError>("output shapes differ: original {} vs converted {}", shape_str(o.shape),
                    shape_str(c.shape));
  Fidelity f;
  const auto n = o.rows();
  std::vector<double> abs_per(static_cast<std::size_t>(n)), rel_per(static_cast<std::size_t>(n));
  const auto po = argmax_rows(o), pc = argmax_rows(c);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto ro = o.row(i), rc = c.row(i);
    double a = 0, r = 0;
    for (std::size_t k = 0; k < ro.size(); ++k) {
      const double d = std::fabs(static_cast<double>(rc[k]) - static_cast<double>(ro[k]));
      a += d;
      r += d / std::max(std::fabs(static_cast<double>(ro[k])), kRelErrorFloor);
      f.max_abs_element = std::max(f.max_abs_element, d);
    }
    const auto m = static_cast<double>(std::max<std::size_t>(ro.size(), 1));
    abs_per[static_cast<std::size_t>(i)] = a / m;
    rel_per[static_cast<std::size_t>(i)] = r / m;
    f.disagreements += po[static_cast<std::size_t>(i)] != pc[static_cast<std::size_t>(i)];
  }
  f.abs_error = summarize(abs_per);
  f.rel_error = summarize(rel_per);
  f.misclassification = n > 0 ? static_cast<double>(f.disagreements) / static_cast<double>(n) : 0;
  return f;
}

std::optional<std::int64_t> first_non_finite_row(const Tensor& t) {
  const auto n = t.row_size();
  for (std::size_t i = 0; i < t.data.size(); ++i)
    if (!std::isfinite(t.data[i])) return static_cast<std::int64_t>(n ? i / n : 0);
  return std::nullopt;
}

}  // namespace convbench
