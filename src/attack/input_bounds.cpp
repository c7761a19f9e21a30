#include "attack/input_bounds.hpp"

#include "core/error.hpp"
#include "data/cifar10.hpp"

namespace convbench {

InputBounds image_input_bounds(std::string_view dataset, std::string_view layout,
                               std::span<const std::int64_t> sample_shape) {
  const auto n = element_count(sample_shape);
  if (dataset == "mnist") return {std::vector<float>(n, 0.0f), std::vector<float>(n, 1.0f)};
  if (dataset != "cifar10")
    fail<UsageError>("no input bounds for dataset '{}' (image datasets only)", dataset);
  if (sample_shape.size() != 3 || (layout != "NCHW" && layout != "NHWC"))
    fail<UsageError>(
        "cifar10 input bounds: expected a [C,H,W] or [H,W,C] sample and layout "
        "NCHW/NHWC, got {} {}",
        shape_str(sample_shape), layout);
  const bool nchw = layout == "NCHW";
  const auto channels = static_cast<std::size_t>(nchw ? sample_shape[0] : sample_shape[2]);
  if (channels != kCifar10Mean.size())
    fail<UsageError>("cifar10 input bounds: {} channels in {}", channels, shape_str(sample_shape));
  const std::size_t plane = n / channels;
  InputBounds b{std::vector<float>(n), std::vector<float>(n)};
  for (std::size_t e = 0; e < n; ++e) {
    const std::size_t c = nchw ? e / plane : e % channels;
    // In float, exactly as data/labelled_images.cpp computes pixels 0 and 255, so that every
    // real input lies inside (not one rounding step outside) its bounds.
    const auto mean = static_cast<float>(kCifar10Mean[c]), sd = static_cast<float>(kCifar10Std[c]);
    b.lower[e] = (0.0F - mean) / sd;
    b.upper[e] = (255 / 255.0F - mean) / sd;
  }
  return b;
}

}  // namespace convbench
