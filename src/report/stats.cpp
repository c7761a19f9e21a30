#include "report/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "metrics/latency.hpp"

namespace convbench::stats {
namespace {

// Continued fraction of I_x(a, b) (Numerical Recipes, 3rd ed., 6.4), valid for x < (a+1)/(a+b+2).
double beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300, kEps = 1e-15;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < kEps) break;
  }
  return h;
}

TTest t_of(double t, double df) { return {t, df, 2 * student_t_cdf(-std::fabs(t), df)}; }

}  // namespace

double mean(std::span<const double> x) {
  if (x.empty()) return std::numeric_limits<double>::quiet_NaN();
  double s = 0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

double sample_sd(std::span<const double> x) {
  if (x.size() < 2) return 0;
  const double m = mean(x);
  double sq = 0;
  for (double v : x) sq += (v - m) * (v - m);
  return std::sqrt(sq / static_cast<double>(x.size() - 1));
}

double incomplete_beta(double a, double b, double x) {
  if (a <= 0 || b <= 0 || x < 0 || x > 1) throw std::domain_error("incomplete_beta: bad argument");
  if (x == 0 || x == 1) return x;
  // ln of x^a (1-x)^b / B(a, b)
  const double front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  // The fraction converges fast on one side of the mean; use the symmetry I_x(a,b) = 1 -
  // I_{1-x}(b,a) on the other.
  if (x < (a + 1) / (a + b + 2)) return std::exp(front) * beta_fraction(a, b, x) / a;
  return 1 - std::exp(front) * beta_fraction(b, a, 1 - x) / b;
}

double student_t_cdf(double t, double df) {
  if (!(df > 0)) throw std::domain_error("student_t_cdf: df must be > 0");
  if (std::isinf(t)) return t > 0 ? 1 : 0;
  // P(|T| > |t|) = I_{df/(df+t^2)}(df/2, 1/2)
  const double tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t));
  return t < 0 ? tail : 1 - tail;
}

std::optional<TTest> one_sample_t(std::span<const double> x) {
  if (x.size() < 2) return std::nullopt;
  const double m = mean(x), sd = sample_sd(x), df = static_cast<double>(x.size() - 1);
  if (sd == 0) {
    const double inf = std::numeric_limits<double>::infinity();
    return TTest{m == 0 ? 0 : std::copysign(inf, m), df, m == 0 ? 1.0 : 0.0};
  }
  return t_of(m / (sd / std::sqrt(static_cast<double>(x.size()))), df);
}

std::optional<TTest> paired_t(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) throw std::invalid_argument("paired_t: samples of different sizes");
  std::vector<double> d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
  return one_sample_t(d);
}

std::optional<TTest> welch_t(std::span<const double> a, std::span<const double> b) {
  if (a.size() < 2 || b.size() < 2) return std::nullopt;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double va = sample_sd(a) * sample_sd(a) / na, vb = sample_sd(b) * sample_sd(b) / nb;
  const double diff = mean(a) - mean(b);
  if (va + vb == 0) {
    const double inf = std::numeric_limits<double>::infinity();
    return TTest{diff == 0 ? 0 : std::copysign(inf, diff), na + nb - 2, diff == 0 ? 1.0 : 0.0};
  }
  // Welch-Satterthwaite degrees of freedom.
  const double df = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
  return t_of(diff / std::sqrt(va + vb), df);
}

std::optional<Interval> bootstrap_mean_ci(std::span<const double> x, double level, int resamples,
                                          std::uint64_t seed) {
  if (x.size() < kMinBootstrapN || resamples < 1) return std::nullopt;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, x.size() - 1);
  std::vector<double> means(static_cast<std::size_t>(resamples));
  for (auto& m : means) {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) s += x[pick(rng)];
    m = s / static_cast<double>(x.size());
  }
  std::sort(means.begin(), means.end());
  return Interval{percentile(means, 100 * (1 - level) / 2),
                  percentile(means, 100 * (1 + level) / 2)};
}

}  // namespace convbench::stats
