#pragma once
// RQ2 latency statistics over per-batch timings.
#include <span>

namespace convbench {

struct LatencyStats {
  double mean = 0, p50 = 0, p95 = 0, p99 = 0, min = 0, max = 0;
  std::size_t count = 0;
};

// Percentiles by linear interpolation between closest ranks (NumPy's default 'linear' method).
double percentile(std::span<const double> values, double q);
LatencyStats latency_stats(std::span<const double> seconds);

}  // namespace convbench
