#include "core/dtype.hpp"

#include <array>
#include <bit>
#include <cmath>

namespace convbench {
namespace {

struct Row {
  DType type;
  std::size_t size;
  std::string_view name, npy;
};

constexpr std::array<Row, 12> kTable{{{DType::f32, 4, "float32", "<f4"},
                                      {DType::f16, 2, "float16", "<f2"},
                                      {DType::f64, 8, "float64", "<f8"},
                                      {DType::i64, 8, "int64", "<i8"},
                                      {DType::i32, 4, "int32", "<i4"},
                                      {DType::i16, 2, "int16", "<i2"},
                                      {DType::i8, 1, "int8", "|i1"},
                                      {DType::u8, 1, "uint8", "|u1"},
                                      {DType::u16, 2, "uint16", "<u2"},
                                      {DType::u32, 4, "uint32", "<u4"},
                                      {DType::u64, 8, "uint64", "<u8"},
                                      {DType::boolean, 1, "bool", "|b1"}}};

const Row& row(DType t) { return kTable[static_cast<std::size_t>(t)]; }

}  // namespace

std::size_t dtype_size(DType t) { return row(t).size; }
std::string_view dtype_name(DType t) { return row(t).name; }
std::string_view npy_descr(DType t) { return row(t).npy; }
bool is_floating(DType t) { return t == DType::f32 || t == DType::f16 || t == DType::f64; }

std::optional<DType> parse_dtype(std::string_view name) {
  for (const auto& r : kTable)
    if (r.name == name) return r.type;
  if (name == "f32" || name == "float") return DType::f32;
  if (name == "f16" || name == "half") return DType::f16;
  if (name == "f64" || name == "double") return DType::f64;
  if (name == "i64" || name == "long") return DType::i64;
  if (name == "i32" || name == "int") return DType::i32;
  return std::nullopt;
}

std::optional<DType> dtype_from_npy(std::string_view descr) {
  for (const auto& r : kTable)
    if (r.npy == descr) return r.type;
  // One-byte types may be written with either byte-order mark.
  if (descr == "<u1" || descr == "=u1") return DType::u8;
  if (descr == "<i1" || descr == "=i1") return DType::i8;
  if (descr == "<b1" || descr == "=b1") return DType::boolean;
  return std::nullopt;
}

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = (h & 0x8000U) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1fU;
  std::uint32_t man = h & 0x3ffU;
  if (exp == 0) {
    if (man == 0) return std::bit_cast<float>(sign);
    // Subnormal half: value = man * 2^-24.
    const float v = std::ldexp(static_cast<float>(man), -24);
    return sign ? -v : v;
  }
  if (exp == 31) return std::bit_cast<float>(sign | 0x7f800000U | (man << 13));  // Inf / NaN
  return std::bit_cast<float>(sign | ((exp + 112) << 23) | (man << 13));
}

std::uint16_t float_to_half(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000U);
  const std::uint32_t abs = x & 0x7fffffffU;
  if (abs >= 0x7f800000U)  // Inf or NaN (keep NaN quiet)
    return static_cast<std::uint16_t>(sign | 0x7c00U | (abs > 0x7f800000U ? 0x200U : 0U));
  if (abs >= 0x477ff000U) return static_cast<std::uint16_t>(sign | 0x7c00U);  // overflow -> Inf
  if (abs < 0x38800000U) {  // subnormal or zero in half: round(|f| * 2^24)
    const float v = std::bit_cast<float>(abs) * 16777216.0F;
    return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(std::nearbyint(v)));
  }
  // Normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even.
  const std::uint32_t mant_odd = (abs >> 13) & 1U;
  const std::uint32_t r = abs + 0xfffU + mant_odd;
  return static_cast<std::uint16_t>(sign | ((r - 0x38000000U) >> 13));
}

}  // namespace convbench
