#pragma once
// MNIST from its four official IDX files (raw or .gz) in one directory.
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "core/tensor.hpp"

namespace convbench {

enum class Split { train, test };

struct LabelledImages {
  std::int64_t count = 0, height = 0, width = 0, channels = 0;
  std::vector<std::uint8_t> pixels;  // count x channels x height x width (planar, NCHW order)
  std::vector<std::int64_t> labels;
};

// Finds <stem> or <stem>.gz in dir; DataError if neither exists.
std::filesystem::path find_data_file(const std::filesystem::path& dir, std::string_view stem);

LabelledImages load_mnist(const std::filesystem::path& dir, Split split);

enum class Layout { NCHW, NHWC };
Layout parse_layout(std::string_view s);

// Pixels scaled by 1/255 into a float tensor of the given layout (N,C,H,W or N,H,W,C).
// This is the one preprocessing of image data; the zoo trains on the same bytes.
Tensor to_tensor(const LabelledImages& images, Layout layout);

}  // namespace convbench
