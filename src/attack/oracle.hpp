#pragma once
// What an attack may ask of the model under attack, and nothing more: output probabilities for a
// batch (decision- and score-based attacks) and, for gradient attacks, the gradient of the
// cross-entropy loss w.r.t. the input. Attacks see a model only through an Oracle, so the same
// attack code runs against a runtime worker in production and a hand-made function in the tests.
// Every sample sent counts as one query; budgets and reports are in queries.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/tensor.hpp"

namespace convbench {

// Rows of output probabilities (softmax) for a batch; leading axis = batch.
using PredictFn = std::function<Tensor(const Tensor& batch)>;
// d(-log p[label]) / d(input) for every row; same shape as the batch.
using GradientFn =
    std::function<Tensor(const Tensor& batch, std::span<const std::int64_t> labels)>;

class Oracle {
 public:
  // `max_batch`: the most rows sent in one call (larger requests are split).
  explicit Oracle(PredictFn predict, GradientFn gradient = {}, std::int64_t max_batch = 256);

  Tensor probabilities(const Tensor& batch);
  std::vector<std::int64_t> labels(const Tensor& batch);  // argmax of probabilities
  // UsageError when the model offers no gradient.
  Tensor loss_gradient(const Tensor& batch, std::span<const std::int64_t> labels);

  bool has_gradient() const { return static_cast<bool>(gradient_); }
  std::int64_t queries() const { return queries_; }                    // rows predicted
  std::int64_t gradient_queries() const { return gradient_queries_; }  // rows differentiated

 private:
  PredictFn predict_;
  GradientFn gradient_;
  std::int64_t max_batch_;
  std::int64_t queries_ = 0, gradient_queries_ = 0;
};

}  // namespace convbench
