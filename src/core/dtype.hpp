#pragma once
// Element types a tensor can have at the runtime boundary. One table maps each to its size, its
// name (as users and ONNX/NumPy write it) and its .npy descriptor.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

namespace convbench {

enum class DType : std::uint8_t { f32, f16, f64, i64, i32, i16, i8, u8, u16, u32, u64, boolean };

std::size_t dtype_size(DType t);
// "float32", "float16", "float64", "int64", ..., "bool".
std::string_view dtype_name(DType t);
// By name ("float32", also "f32"/"float"/"half"/"double"/"long"); nullopt when unknown.
std::optional<DType> parse_dtype(std::string_view name);
// NumPy descriptor: "<f4", "<i8", "|u1", "|b1", ...
std::string_view npy_descr(DType t);
std::optional<DType> dtype_from_npy(std::string_view descr);
bool is_floating(DType t);

// A runtime's element types beside ours: each worker lists its pairs once and looks them up both
// ways. Types missing from the list are the ones that runtime (or convbench) does not carry.
template <typename E>
class DTypeMap {
 public:
  constexpr explicit DTypeMap(std::span<const std::pair<DType, E>> rows) : rows_(rows) {}
  std::optional<DType> ours(E e) const {
    for (const auto& [d, r] : rows_)
      if (r == e) return d;
    return std::nullopt;
  }
  std::optional<E> theirs(DType d) const {
    for (const auto& [o, r] : rows_)
      if (o == d) return r;
    return std::nullopt;
  }

 private:
  std::span<const std::pair<DType, E>> rows_;
};

// IEEE 754 binary16 <-> binary32 (round to nearest even), for float16 tensors.
float half_to_float(std::uint16_t h);
std::uint16_t float_to_half(float f);

}  // namespace convbench
