#pragma once
// A dataset's test split as model inputs: the one entry point eval (and later the study) use.
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "core/tensor.hpp"

namespace convbench {

struct LabelledTensor {
  Tensor inputs;
  std::vector<std::int64_t> labels;
};

// `layout` is the model's input layout ("NCHW"/"NHWC"); limit > 0 keeps the first `limit` samples.
LabelledTensor load_test_set(std::string_view dataset, const std::filesystem::path& dir,
                             std::string_view layout, std::int64_t limit = 0);

}  // namespace convbench
