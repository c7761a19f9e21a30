#pragma once
// The statistics behind the report's "is this difference real?" marks (docs/report.md):
// percentile bootstrap confidence intervals over replicates and Student t tests (paired,
// one-sample, Welch), with the t distribution's CDF from the regularized incomplete beta.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace convbench::stats {

double mean(std::span<const double> x);
double sample_sd(std::span<const double> x);  // n - 1 in the denominator; 0 for n < 2

// I_x(a, b), the regularized incomplete beta function (continued fraction, Lentz's method).
double incomplete_beta(double a, double b, double x);
// P(T <= t) for Student's t with `df` degrees of freedom (df > 0, need not be an integer).
double student_t_cdf(double t, double df);

struct TTest {
  double t = 0, df = 0;
  double p = 1;  // two-sided
};
// One-sample t test of mean(x) = 0 (a paired test when x holds paired differences).
// nullopt when n < 2. A zero spread gives p = 1 for a zero mean, else p = 0.
std::optional<TTest> one_sample_t(std::span<const double> x);
// Paired t test of a - b (same replicate at the same index); sizes must match.
std::optional<TTest> paired_t(std::span<const double> a, std::span<const double> b);
// Welch's unequal-variance t test of mean(a) = mean(b); nullopt when either has n < 2.
std::optional<TTest> welch_t(std::span<const double> a, std::span<const double> b);

struct Interval {
  double lo = 0, hi = 0;
};
// Percentile bootstrap CI of the mean: `resamples` resamples with replacement drawn by a
// std::mt19937_64 seeded with `seed`, the (1-level)/2 and (1+level)/2 quantiles of their means
// (linear interpolation). nullopt for fewer than kMinBootstrapN values: with 2 values there are
// only 3 distinct resample means, which is no interval worth reporting.
constexpr std::size_t kMinBootstrapN = 3;
constexpr int kBootstrapResamples = 10000;
constexpr std::uint64_t kBootstrapSeed = 20220901;
std::optional<Interval> bootstrap_mean_ci(std::span<const double> x, double level = 0.95,
                                          int resamples = kBootstrapResamples,
                                          std::uint64_t seed = kBootstrapSeed);

}  // namespace convbench::stats
