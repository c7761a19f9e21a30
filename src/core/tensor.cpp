#include "core/tensor.hpp"

#include <algorithm>
#include <functional>
#include <numeric>

#include "core/error.hpp"

namespace convbench {

std::size_t element_count(std::span<const std::int64_t> shape) {
  std::size_t n = 1;
  for (auto d : shape) {
    if (d < 0) fail<DataError>("negative dimension in shape {}", shape_str(shape));
    // Sizes come from file headers and pipes: a product past 2^64 is refused, not wrapped.
    if (__builtin_mul_overflow(n, static_cast<std::size_t>(d), &n))
      fail<DataError>("shape {} has more elements than memory can hold", shape_str(shape));
  }
  return n;
}

std::string shape_str(std::span<const std::int64_t> shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

Tensor::Tensor(Shape s) : shape(std::move(s)), data(element_count(shape)) {}

Tensor::Tensor(Shape s, std::vector<float> d) : shape(std::move(s)), data(std::move(d)) {
  if (data.size() != element_count(shape))
    fail("tensor of shape {} needs {} elements, got {}", shape_str(shape), element_count(shape),
         data.size());
}

std::size_t Tensor::row_size() const {
  return shape.empty() ? 0 : element_count(std::span(shape).subspan(1));
}

std::span<const float> Tensor::row(std::int64_t i) const {
  const auto n = row_size();
  return std::span(data).subspan(static_cast<std::size_t>(i) * n, n);
}

Tensor Tensor::slice_rows(std::int64_t begin, std::int64_t end) const {
  if (begin < 0 || end > rows() || begin > end)
    fail("row slice [{}, {}) outside tensor of shape {}", begin, end, shape_str(shape));
  Shape s = shape;
  s.front() = end - begin;
  const auto n = row_size();
  std::vector<float> d(data.begin() + static_cast<std::ptrdiff_t>(begin * n),
                       data.begin() + static_cast<std::ptrdiff_t>(end * n));
  return Tensor(std::move(s), std::move(d));
}

Tensor concat_rows(std::span<const Tensor> parts) {
  if (parts.empty()) return {};
  Shape s = parts.front().shape;
  s.front() = 0;
  std::size_t total = 0;
  for (const auto& p : parts) {
    if (!std::equal(p.shape.begin() + 1, p.shape.end(), s.begin() + 1, s.end()))
      fail("cannot concatenate shapes {} and {}", shape_str(parts.front().shape),
           shape_str(p.shape));
    s.front() += p.rows();
    total += p.size();
  }
  std::vector<float> d;
  d.reserve(total);
  for (const auto& p : parts) d.insert(d.end(), p.data.begin(), p.data.end());
  return Tensor(std::move(s), std::move(d));
}

}  // namespace convbench
