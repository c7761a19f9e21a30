#include "attack/oracle.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "metrics/fidelity.hpp"

namespace convbench {

Oracle::Oracle(PredictFn predict, GradientFn gradient, std::int64_t max_batch)
    : predict_(std::move(predict)), gradient_(std::move(gradient)), max_batch_(max_batch) {
  if (max_batch_ <= 0) throw UsageError("oracle: max_batch must be positive");
}

Tensor Oracle::probabilities(const Tensor& batch) {
  const std::int64_t n = batch.rows();
  queries_ += n;
  if (n <= max_batch_) return predict_(batch);
  std::vector<Tensor> parts;
  for (std::int64_t b = 0; b < n; b += max_batch_)
    parts.push_back(predict_(batch.slice_rows(b, std::min(n, b + max_batch_))));
  return concat_rows(parts);
}

std::vector<std::int64_t> Oracle::labels(const Tensor& batch) {
  return argmax_rows(probabilities(batch));
}

Tensor Oracle::loss_gradient(const Tensor& batch, std::span<const std::int64_t> labels) {
  if (!gradient_) throw UsageError("this model offers no input gradient (needed by FGSM)");
  if (static_cast<std::int64_t>(labels.size()) != batch.rows())
    throw UsageError("oracle: one label per row is needed for the gradient");
  const std::int64_t n = batch.rows();
  gradient_queries_ += n;
  if (n <= max_batch_) return gradient_(batch, labels);
  std::vector<Tensor> parts;
  for (std::int64_t b = 0; b < n; b += max_batch_) {
    const auto e = std::min(n, b + max_batch_);
    parts.push_back(gradient_(batch.slice_rows(b, e), labels.subspan(b, e - b)));
  }
  return concat_rows(parts);
}

}  // namespace convbench
