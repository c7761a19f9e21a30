#pragma once
// A dense float32 tensor that owns its buffer. Everything convbench feeds to a runtime or gets
// back from one is float32; labels are kept apart as integers.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace convbench {

using Shape = std::vector<std::int64_t>;

std::size_t element_count(std::span<const std::int64_t> shape);
std::string shape_str(std::span<const std::int64_t> shape);

struct Tensor {
  Shape shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(Shape s);
  Tensor(Shape s, std::vector<float> d);

  std::size_t size() const { return data.size(); }
  std::int64_t rows() const { return shape.empty() ? 0 : shape.front(); }
  // Elements per leading-axis row (one sample).
  std::size_t row_size() const;
  std::span<const float> row(std::int64_t i) const;
  // Rows [begin, end) as a new tensor (a batch).
  Tensor slice_rows(std::int64_t begin, std::int64_t end) const;
};

// Concatenates tensors along the leading axis; trailing dimensions must agree.
Tensor concat_rows(std::span<const Tensor> parts);

}  // namespace convbench
