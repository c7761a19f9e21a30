#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "metrics/fidelity.hpp"
#include "metrics/latency.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

TEST(Fidelity, HandComputedErrorsAndDisagreement) {
  const Tensor o({2, 3}, {0.5F, 0.3F, 0.2F, 0.1F, 0.8F, 0.1F});
  const Tensor c({2, 3}, {0.3F, 0.5F, 0.2F, 0.1F, 0.8F, 0.1F});
  const Fidelity f = compare_outputs(o, c);
  // Sample 0: |d| = 0.2, 0.2, 0 -> mean 0.4/3; relative 0.2/0.5 + 0.2/0.3 -> (0.4 + 2/3) / 3.
  EXPECT_NEAR(f.abs_error.mean, (0.4 / 3) / 2, 1e-6);
  EXPECT_NEAR(f.abs_error.std, (0.4 / 3) / 2, 1e-6);  // population std of {0.1333, 0}
  EXPECT_NEAR(f.abs_error.max, 0.4 / 3, 1e-6);
  EXPECT_NEAR(f.rel_error.mean, ((0.4 + 2.0 / 3) / 3) / 2, 1e-6);
  EXPECT_NEAR(f.max_abs_element, 0.2, 1e-6);
  EXPECT_EQ(f.disagreements, 1);
  EXPECT_DOUBLE_EQ(f.misclassification, 0.5);
}

TEST(Fidelity, IdenticalOutputsGiveZero) {
  const Tensor o({2, 2}, {0.25F, 0.75F, 0.9F, 0.1F});
  const Fidelity f = compare_outputs(o, o);
  EXPECT_EQ(f.abs_error.mean, 0);
  EXPECT_EQ(f.rel_error.max, 0);
  EXPECT_EQ(f.misclassification, 0);
}

TEST(Fidelity, RelativeErrorFloorGuardsZeroOutputs) {
  const Tensor o({1, 2}, {0.0F, 1.0F});
  const Tensor c({1, 2}, {1e-6F, 1.0F});
  const Fidelity f = compare_outputs(o, c);
  // 1e-6 / max(0, 1e-6) = 1 for the first element, 0 for the second.
  EXPECT_NEAR(f.rel_error.mean, 0.5, 1e-3);
  EXPECT_TRUE(std::isfinite(f.rel_error.max));
}

TEST(Fidelity, ShapeMismatchIsAnError) {
  EXPECT_THROW_WITH(compare_outputs(Tensor({1, 2}, {1, 2}), Tensor({2, 1}, {1, 2})), DataError,
                    "[1, 2]", "[2, 1]");
}

TEST(Fidelity, Accuracy) {
  const Tensor out({3, 2}, {0.1F, 0.9F, 0.8F, 0.2F, 0.3F, 0.7F});
  const std::vector<std::int64_t> labels = {1, 0, 0};
  EXPECT_NEAR(accuracy(out, labels), 2.0 / 3.0, 1e-12);
  const std::vector<std::int64_t> short_labels = {1};
  EXPECT_THROW(accuracy(out, short_labels), DataError);
}

TEST(Fidelity, FindsNonFiniteRow) {
  Tensor t({3, 2}, {1, 2, 3, 4, 5, 6});
  EXPECT_FALSE(first_non_finite_row(t));
  t.data[4] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(first_non_finite_row(t), 2);
  t.data[3] = std::nanf("");
  EXPECT_EQ(first_non_finite_row(t), 1);
}

TEST(Summary, MeanStdMax) {
  const std::vector<double> v = {2, 4, 4, 4, 5, 5, 7, 9};
  const Summary s = summarize(v);
  EXPECT_DOUBLE_EQ(s.mean, 5);
  EXPECT_DOUBLE_EQ(s.std, 2);
  EXPECT_DOUBLE_EQ(s.max, 9);
}

TEST(Latency, LinearInterpolationPercentilesLikeNumpy) {
  const std::vector<double> v = {5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(percentile(v, 50), 3);
  EXPECT_NEAR(percentile(v, 95), 4.8, 1e-12);
  EXPECT_NEAR(percentile(v, 99), 4.96, 1e-12);
  EXPECT_DOUBLE_EQ(percentile(v, 0), 1);
  EXPECT_DOUBLE_EQ(percentile(v, 100), 5);
  const LatencyStats s = latency_stats(v);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_EQ(s.count, 5U);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 5);
  EXPECT_THROW(percentile(std::vector<double>{}, 50), Error);
}

}  // namespace
}  // namespace convbench
