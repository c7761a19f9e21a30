#pragma once
// FGSM (Goodfellow et al. 2015): one step along the sign of the loss gradient,
//   x' = clip(x + eps * (upper - lower) * sign(d loss / d x), lower, upper).
// eps is a share of each element's valid range, so one number means the same on [0, 1] pixels
// (MNIST) and on standardised channels (CIFAR-10: range 1/std[c]): eps = 8/255 is "8 grey
// levels" on either. The gradient comes from the attacked model's own framework (Oracle).
#include <cstdint>
#include <span>

#include "attack/oracle.hpp"
#include "core/tensor.hpp"
#include "data/model_inputs.hpp"

namespace convbench {

struct FgsmOptions {
  double epsilon = 0.1;  // share of the valid range of each input element
};

// One adversarial row per input row. UsageError when the domain does not fit the rows or
// epsilon is not in (0, 1].
Tensor fgsm(Oracle& oracle, const Tensor& inputs, std::span<const std::int64_t> labels,
            const InputDomain& domain, const FgsmOptions& options);

}  // namespace convbench
