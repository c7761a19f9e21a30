// The Boundary attack against a hand-made linear softmax classifier: every result adversarial and
// in bounds, distances never grow, seeded determinism, honest query counts, budgets respected.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "attack/boundary.hpp"
#include "core/error.hpp"
#include "data/cifar10.hpp"
#include "data/labelled_images.hpp"
#include "data/model_inputs.hpp"

namespace convbench {
namespace {

constexpr std::int64_t kClasses = 3;
const Shape kSample{1, 4, 4};  // one "image": 16 values
constexpr std::size_t kDim = 16;

// softmax(W x + b) with fixed random weights; counts every row and call it sees.
struct LinearModel {
  std::vector<float> w, b;
  std::int64_t rows_seen = 0, calls = 0, largest_call = 0;

  LinearModel() {
    std::mt19937_64 rng(42);
    std::normal_distribution<float> g(0.0f, 1.0f);
    w.resize(kClasses * kDim);
    b.resize(kClasses);
    for (auto& v : w) v = g(rng);
    for (auto& v : b) v = 0.1f * g(rng);
  }
  std::vector<float> logits(std::span<const float> x) const {
    std::vector<float> z(b);
    for (std::int64_t c = 0; c < kClasses; ++c)
      for (std::size_t e = 0; e < kDim; ++e) z[c] += w[c * kDim + e] * x[e];
    return z;
  }
  std::int64_t predict(std::span<const float> x) const {
    const auto z = logits(x);
    return std::distance(z.begin(), std::ranges::max_element(z));
  }
  Tensor operator()(const Tensor& batch) {
    ++calls;
    rows_seen += batch.rows();
    largest_call = std::max(largest_call, batch.rows());
    Tensor out({batch.rows(), kClasses});
    for (std::int64_t i = 0; i < batch.rows(); ++i) {
      auto z = logits(batch.row(i));
      const float m = *std::ranges::max_element(z);
      float s = 0;
      for (auto& v : z) s += (v = std::exp(v - m));
      for (std::int64_t c = 0; c < kClasses; ++c) out.data[i * kClasses + c] = z[c] / s;
    }
    return out;
  }
};

// Element-wise bounds that differ per element (as standardised CIFAR-10 channels do).
struct Domain {
  std::vector<float> lower, upper;
  Domain() {
    for (std::size_t e = 0; e < kDim; ++e) {
      lower.push_back(e < kDim / 2 ? 0.0f : -0.5f);
      upper.push_back(e < kDim / 2 ? 1.0f : 1.5f);
    }
  }
};

struct Problem {
  LinearModel model;
  Domain domain;
  Tensor inputs;
  std::vector<std::int64_t> labels;  // the model's own (correct by definition) predictions

  explicit Problem(std::int64_t n) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    Shape shape{n};
    shape.insert(shape.end(), kSample.begin(), kSample.end());
    inputs = Tensor(shape);
    for (std::int64_t i = 0; i < n; ++i) {
      for (std::size_t e = 0; e < kDim; ++e) {
        const float lo = domain.lower[e], hi = domain.upper[e];
        inputs.data[i * kDim + e] = lo + (hi - lo) * (0.25f + 0.5f * u(rng));
      }
      labels.push_back(model.predict(inputs.row(i)));
    }
  }
  Oracle oracle() {
    return Oracle([this](const Tensor& b) { return model(b); }, {}, 1024);
  }
  BoundaryResult attack(const BoundaryOptions& o, const BoundaryTrace& trace = {}) {
    auto orc = oracle();
    return boundary_attack(orc, inputs, labels, domain.lower, domain.upper, o, trace);
  }
};

BoundaryOptions quick(std::uint64_t seed = 1) {
  BoundaryOptions o;
  o.steps = 300;
  o.seed = seed;
  return o;
}

TEST(Boundary, EveryResultIsAdversarialInsideTheBoundsAtItsReportedDistance) {
  Problem p(12);
  const auto r = p.attack(quick());
  ASSERT_EQ(r.attacked(), 12);
  ASSERT_EQ(r.adversarial.shape, p.inputs.shape);
  for (std::int64_t i = 0; i < 12; ++i) {
    const auto& s = r.samples[i];
    EXPECT_EQ(s.status, BoundaryStatus::attacked);
    EXPECT_TRUE(s.adversarial);
    const auto adv = r.adversarial.row(i);
    EXPECT_NE(p.model.predict(adv), p.labels[i]) << "row " << i;
    double d2 = 0;
    for (std::size_t e = 0; e < kDim; ++e) {
      EXPECT_GE(adv[e], p.domain.lower[e]);
      EXPECT_LE(adv[e], p.domain.upper[e]);
      d2 += std::pow(double(adv[e]) - p.inputs.row(i)[e], 2);
    }
    EXPECT_NEAR(s.l2, std::sqrt(d2), 1e-5);
    EXPECT_GT(s.l2, 0.0f);
  }
}

TEST(Boundary, DistanceNeverIncreasesAndShrinksOverall) {
  Problem p(8);
  std::vector<float> first, previous;
  int traced = 0;
  const auto r = p.attack(quick(), [&](const BoundaryStepInfo& info) {
    ASSERT_EQ(info.l2.size(), 8u);
    EXPECT_EQ(info.step, ++traced);
    std::vector<float> now(info.l2.begin(), info.l2.end());
    if (first.empty()) first = now;
    for (std::size_t i = 0; i < now.size() && !previous.empty(); ++i)
      EXPECT_LE(now[i], previous[i]) << "sample " << i << " step " << info.step;
    previous = std::move(now);
  });
  EXPECT_EQ(traced, 300);
  EXPECT_EQ(r.steps_run, 300);
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_FLOAT_EQ(r.samples[i].l2, previous[i]);
    EXPECT_LT(r.samples[i].l2, 0.9f * first[i]) << "the walk made no progress on sample " << i;
  }
}

TEST(Boundary, SameSeedSameResultOtherSeedOtherResult) {
  Problem p(6);
  const auto a = p.attack(quick(3)), b = p.attack(quick(3)), c = p.attack(quick(4));
  EXPECT_EQ(a.adversarial.data, b.adversarial.data);
  EXPECT_EQ(a.queries, b.queries);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(a.samples[i].l2, b.samples[i].l2);
  EXPECT_NE(a.adversarial.data, c.adversarial.data);
}

TEST(Boundary, QueriesAreWhatTheModelSawBatchedOneCallPerStep) {
  Problem p(10);
  auto orc = p.oracle();
  auto o = quick();
  o.steps = 50;
  const auto r = boundary_attack(orc, p.inputs, p.labels, p.domain.lower, p.domain.upper, o);
  EXPECT_EQ(r.queries, p.model.rows_seen);
  EXPECT_EQ(r.queries, orc.queries());
  // Main loop: one call per step, 10 candidates, plus 10 spherical candidates every 10th step.
  EXPECT_LE(p.model.largest_call, 20);
  const auto init_calls = p.model.calls - 50;
  EXPECT_GE(init_calls, 2);  // clean inputs + at least one noise draw
  EXPECT_EQ(p.model.largest_call, 20);
}

TEST(Boundary, QueryBudgetStopsTheAttack) {
  Problem p(10);
  auto o = quick();
  o.max_queries = 400;
  const auto r = p.attack(o);
  EXPECT_TRUE(r.query_budget_hit);
  EXPECT_LE(r.queries, 400);
  EXPECT_GT(r.queries, 400 - 20);  // it stopped only when the next step no longer fitted
  EXPECT_LT(r.steps_run, o.steps);
  EXPECT_EQ(r.queries, p.model.rows_seen);
  for (const auto& s : r.samples) EXPECT_TRUE(s.adversarial);

  o.max_queries = 5;  // not even the clean inputs fit
  const auto none = p.attack(o);
  EXPECT_TRUE(none.query_budget_hit);
  EXPECT_EQ(none.queries, 0);
  for (const auto& s : none.samples) {
    EXPECT_EQ(s.status, BoundaryStatus::no_starting_point);
    EXPECT_TRUE(std::isinf(s.l2));
  }
}

TEST(Boundary, SuccessMeansAdversarialWithinTheL2Budget) {
  Problem p(12);
  auto o = quick();
  const auto free = p.attack(o);
  std::vector<float> l2;
  for (const auto& s : free.samples) l2.push_back(s.l2);
  std::ranges::sort(l2);
  o.l2_budget = l2[6];
  const auto r = p.attack(o);
  EXPECT_EQ(r.successes(), 7);
  for (const auto& s : r.samples) EXPECT_EQ(s.success, s.adversarial && s.l2 <= o.l2_budget);
}

TEST(Boundary, MisclassifiedInputsAndMissingStartsAreReportedNotDropped) {
  Problem p(4);
  p.labels[1] = (p.labels[1] + 1) % kClasses;  // the model now gets sample 1 "wrong"
  const auto r = p.attack(quick());
  EXPECT_EQ(r.samples[1].status, BoundaryStatus::already_misclassified);
  EXPECT_FALSE(r.samples[1].adversarial);
  EXPECT_FALSE(r.samples[1].success);
  EXPECT_EQ(r.samples[1].l2, 0.0f);
  const auto row1 = r.adversarial.row(1), in1 = p.inputs.row(1);
  EXPECT_TRUE(std::equal(row1.begin(), row1.end(), in1.begin()));
  EXPECT_EQ(r.attacked(), 3);

  // A model that always says class 0: no noise is ever adversarial for a class-0 input.
  Oracle constant([](const Tensor& b) {
    Tensor out({b.rows(), kClasses});
    for (std::int64_t i = 0; i < b.rows(); ++i) out.data[i * kClasses] = 1.0f;
    return out;
  });
  auto o = quick();
  o.init_directions = 5;
  const std::vector<std::int64_t> zeros(4, 0);
  const auto none = boundary_attack(constant, p.inputs, zeros, p.domain.lower, p.domain.upper, o);
  for (const auto& s : none.samples) {
    EXPECT_EQ(s.status, BoundaryStatus::no_starting_point);
    EXPECT_FALSE(s.adversarial);
  }
  EXPECT_EQ(none.queries, 4 + 5 * 4);  // clean inputs + five noise draws each
  EXPECT_EQ(none.steps_run, 0);
}

TEST(Boundary, RejectsInconsistentArguments) {
  Problem p(2);
  auto orc = p.oracle();
  const std::vector<float> short_bound(kDim - 1, 0.0f);
  EXPECT_THROW(boundary_attack(orc, p.inputs, p.labels, short_bound, p.domain.upper, quick()),
               UsageError);
  const std::vector<std::int64_t> one_label{0};
  EXPECT_THROW(boundary_attack(orc, p.inputs, one_label, p.domain.lower, p.domain.upper, quick()),
               UsageError);
  auto outside = p.inputs;
  outside.data[3] = 2.0f;  // above element 3's upper bound of 1
  EXPECT_THROW(boundary_attack(orc, outside, p.labels, p.domain.lower, p.domain.upper, quick()),
               UsageError);
  EXPECT_FLOAT_EQ(boundary_default_l2_budget("mnist"), 2.0f);
  EXPECT_THROW(boundary_default_l2_budget("imdb"), UsageError);
}

// The bounds are exactly the preprocessed values of pixels 0 and 255, per channel and layout, so
// every real input lies inside them (a bound one rounding step off would reject real images).
TEST(InputDomain, AreThePreprocessedExtremePixels) {
  LabelledImages im;
  im.count = 2, im.height = 2, im.width = 2, im.channels = 3;
  im.pixels.resize(24);  // 2 images x 3 channels x 2 x 2
  std::fill(im.pixels.begin() + 12, im.pixels.end(), std::uint8_t{255});  // image 1: all 255
  im.labels = {0, 0};
  for (const auto* layout : {"NCHW", "NHWC"}) {
    const auto t = to_tensor(im, parse_layout(layout), cifar10_norm());
    const Shape sample(t.shape.begin() + 1, t.shape.end());
    const auto b = image_input_domain("cifar10", parse_layout(layout), sample);
    const auto lo = t.row(0), hi = t.row(1);
    EXPECT_TRUE(std::equal(lo.begin(), lo.end(), b.lower.begin())) << layout;
    EXPECT_TRUE(std::equal(hi.begin(), hi.end(), b.upper.begin())) << layout;
  }
  const Shape nchw{3, 2, 2};
  const auto b = image_input_domain("cifar10", Layout::NCHW, nchw);
  EXPECT_LT(b.lower[0], b.lower[4]);  // channel 0 (mean .49, std .247) vs channel 1 (.48, .24)
  const Shape mnist{1, 28, 28};
  const auto m = image_input_domain("mnist", Layout::NCHW, mnist);
  EXPECT_EQ(m.lower, std::vector<float>(784, 0.0f));
  EXPECT_EQ(m.upper, std::vector<float>(784, 1.0f));
  EXPECT_THROW(image_input_domain("imdb", Layout::NCHW, mnist), UsageError);
}

}  // namespace
}  // namespace convbench
