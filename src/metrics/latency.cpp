#include "metrics/latency.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.hpp"

namespace convbench {

double percentile(std::span<const double> values, double q) {
  if (values.empty()) fail("percentile of no values");
  if (q < 0 || q > 100) fail("percentile {} outside 0..100", q);
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  const double pos = q / 100.0 * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

LatencyStats latency_stats(std::span<const double> s) {
  LatencyStats r;
  r.count = s.size();
  if (s.empty()) return r;
  r.mean = std::accumulate(s.begin(), s.end(), 0.0) / static_cast<double>(s.size());
  r.p50 = percentile(s, 50);
  r.p95 = percentile(s, 95);
  r.p99 = percentile(s, 99);
  const auto [mn, mx] = std::minmax_element(s.begin(), s.end());
  r.min = *mn;
  r.max = *mx;
  return r;
}

}  // namespace convbench
