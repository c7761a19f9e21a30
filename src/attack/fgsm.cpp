#include "attack/fgsm.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace convbench {

Tensor fgsm(Oracle& oracle, const Tensor& inputs, std::span<const std::int64_t> labels,
            const InputDomain& domain, const FgsmOptions& options) {
  if (!(options.epsilon > 0 && options.epsilon <= 1))
    fail<UsageError>("FGSM epsilon must be in (0, 1], got {}", options.epsilon);
  const std::size_t row = inputs.row_size();
  if (domain.lower.size() != row || domain.upper.size() != row)
    fail<UsageError>("FGSM: input domain of {} elements for samples of {}", domain.lower.size(),
                     row);
  const Tensor grad = oracle.loss_gradient(inputs, labels);
  if (grad.shape != inputs.shape)
    fail<WorkerError>("FGSM: gradient of shape {} for inputs of shape {}", shape_str(grad.shape),
                      shape_str(inputs.shape));
  Tensor out = inputs;
  for (std::size_t i = 0; i < out.data.size(); ++i) {
    const std::size_t e = i % row;
    const float g = grad.data[i];
    const float sign = g > 0 ? 1.0f : g < 0 ? -1.0f : 0.0f;
    const auto step =
        static_cast<float>(options.epsilon * (domain.upper[e] - domain.lower[e])) * sign;
    out.data[i] = std::clamp(out.data[i] + step, domain.lower[e], domain.upper[e]);
  }
  return out;
}

}  // namespace convbench
