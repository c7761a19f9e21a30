#pragma once
// A named, typed tensor that owns its bytes: what crosses the runtime boundary (the worker
// protocol, every Backend, .npy files), like ONNX Runtime's Ort::Value. `Tensor` (tensor.hpp)
// stays the float32 working array of the metrics and the attacks; `to_f32`/`from_tensor` convert
// between the two, and `cast_exact` changes a Value's dtype only when no value changes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.hpp"
#include "core/tensor.hpp"

namespace convbench {

struct Value {
  std::string name;
  DType dtype = DType::f32;
  Shape shape;
  std::vector<std::byte> bytes;

  Value() = default;
  Value(std::string name, DType dtype, Shape shape);  // zero-filled
  // Throws DataError when bytes.size() does not fit dtype x shape.
  Value(std::string name, DType dtype, Shape shape, std::vector<std::byte> bytes);

  std::size_t elements() const { return bytes.size() / dtype_size(dtype); }
  // Leading-axis length; DataError for a 0-d value (it has no rows to batch).
  std::int64_t rows() const;
  std::size_t row_bytes() const;
  // The elements as T; DataError unless sizeof(T) is the dtype's size (float16: std::uint16_t).
  template <typename T>
  std::span<const T> raw() const {
    check_element_size(sizeof(T));
    return {reinterpret_cast<const T*>(bytes.data()), elements()};
  }
  template <typename T>
  std::span<T> raw_mut() {
    check_element_size(sizeof(T));
    return {reinterpret_cast<T*>(bytes.data()), elements()};
  }
  // Element i as a double (float16 decoded; int64 beyond 2^53 rounds).
  double at(std::size_t i) const;
  Value slice_rows(std::int64_t begin, std::int64_t end) const;

 private:
  void check_element_size(std::size_t n) const;
};

using Values = std::vector<Value>;  // a feed or a model's outputs, in the model's order

// "input_ids: int64 [8, 128]".
std::string describe(const Value& v);

Value from_tensor(std::string name, const Tensor& t);
// A float32 copy. Exact for float16, 8- and 16-bit integers, bool, and 32/64-bit integers up to
// 2^24; float64 is rounded to the nearest float32.
Tensor to_f32(const Value& v);
// Every element as float64 (how outputs of any dtype are compared: docs/design.md).
std::vector<double> to_f64(const Value& v);
// The same numbers in another dtype; DataError naming the value and the first element that the
// new dtype cannot hold exactly (token ids 3.5 -> int64, 300 -> uint8, 1e-8 -> float16 ...).
// Taken by value: a value already of dtype `to` is moved through, not copied.
Value cast_exact(Value v, DType to);
// What a model is fed: cast_exact, except between floating dtypes, where values are rounded to
// nearest (float32 data into an fp16 model) and only an overflow to infinity is refused.
Value cast_for_model(Value v, DType to);

// Empty when `got` has `want`'s dtype and shape and every element satisfies NumPy's allclose rule
// |got - want| <= atol + rtol |want| (NaN equals NaN, equal infinities agree); else what differs
// first. The one tolerance rule of the conformance tests and the ONNX suite run.
std::string first_difference(const Value& want, const Value& got, double rtol, double atol);

// Concatenates along the leading axis; names and dtypes must agree, trailing dims too.
Value concat_rows(std::span<const Value> parts);
// The value called `name`, or nullptr.
const Value* find_value(const Values& vs, std::string_view name);
// Index of the first row holding a NaN or Inf (floating dtypes), if any.
std::optional<std::int64_t> first_non_finite_row(const Value& v);

}  // namespace convbench
