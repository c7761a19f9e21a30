#pragma once
// The valid domain of one preprocessed input sample, element-wise: what pixel values 0..255 become
// after each dataset's preprocessing (data/model_inputs.hpp). Attacks clip to it.
#include <span>
#include <string_view>
#include <vector>

#include "core/tensor.hpp"

namespace convbench {

struct InputBounds {
  std::vector<float> lower, upper;  // one value per element of a sample
};

// `sample_shape`: one sample without the batch axis ([1,28,28], [3,32,32] or [32,32,3]);
// `layout` "NCHW" or "NHWC" says where the channel axis is. mnist: [0, 1]; cifar10:
// [(0 - mean[c]) / std[c], (1 - mean[c]) / std[c]]. UsageError for other datasets or shapes.
InputBounds image_input_bounds(std::string_view dataset, std::string_view layout,
                               std::span<const std::int64_t> sample_shape);

}  // namespace convbench
