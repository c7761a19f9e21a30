#pragma once
// Decoded images of any image dataset (MNIST, CIFAR-10) and their one conversion to model input.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/tensor.hpp"

namespace convbench {

struct LabelledImages {
  std::int64_t count = 0, height = 0, width = 0, channels = 0;
  std::vector<std::uint8_t> pixels;  // count x channels x height x width (planar, NCHW order)
  std::vector<std::int64_t> labels;

  // Keeps the first n images (n <= 0 or n >= count: all).
  void keep_first(std::int64_t n);
};

enum class Layout { NCHW, NHWC };
Layout parse_layout(std::string_view s);

// Per-channel statistics of pixels scaled to [0,1]; one entry per channel.
struct ChannelNorm {
  std::vector<float> mean, std;
};

// The one preprocessing of image data; the zoo trains on the same bytes. Each pixel becomes
// x/255, then (x/255 - mean[c]) / std[c] when `norm` is given, in the given layout
// (N,C,H,W or N,H,W,C). DataError if `norm` does not have one mean and std per channel.
Tensor to_tensor(const LabelledImages& images, Layout layout,
                 const std::optional<ChannelNorm>& norm = std::nullopt);

}  // namespace convbench
