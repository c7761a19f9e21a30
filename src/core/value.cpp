#include "core/value.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.hpp"

namespace convbench {
namespace {

std::size_t byte_count(DType t, std::span<const std::int64_t> shape, std::string_view what) {
  const std::size_t n = element_count(shape);
  std::size_t b = 0;
  if (__builtin_mul_overflow(n, dtype_size(t), &b))
    fail<DataError>("{}: {} {} is too large", what, dtype_name(t), shape_str(shape));
  return b;
}

template <typename F>
void for_each_element(const Value& v, F&& f) {  // f(index, double value)
  const std::size_t n = v.elements();
  const std::byte* p = v.bytes.data();
  auto each = [&]<typename T>(T) {
    for (std::size_t i = 0; i < n; ++i) {
      T x;
      std::memcpy(&x, p + i * sizeof(T), sizeof(T));
      f(i, static_cast<double>(x));
    }
  };
  switch (v.dtype) {
    case DType::f32:
      return each(float{});
    case DType::f64:
      return each(double{});
    case DType::i64:
      return each(std::int64_t{});
    case DType::i32:
      return each(std::int32_t{});
    case DType::i16:
      return each(std::int16_t{});
    case DType::i8:
      return each(std::int8_t{});
    case DType::u8:
      return each(std::uint8_t{});
    case DType::u16:
      return each(std::uint16_t{});
    case DType::u32:
      return each(std::uint32_t{});
    case DType::u64:
      return each(std::uint64_t{});
    case DType::boolean:
      for (std::size_t i = 0; i < n; ++i) f(i, p[i] != std::byte{0} ? 1.0 : 0.0);
      return;
    case DType::f16:
      for (std::size_t i = 0; i < n; ++i) {
        std::uint16_t h;
        std::memcpy(&h, p + i * 2, 2);
        f(i, static_cast<double>(half_to_float(h)));
      }
      return;
  }
}

// Writes x (already checked representable) as element i of dtype t.
void store(std::byte* p, DType t, std::size_t i, double x) {
  auto put = [&]<typename T>(T) {
    const T y = static_cast<T>(x);
    std::memcpy(p + i * sizeof(T), &y, sizeof(T));
  };
  switch (t) {
    case DType::f32:
      return put(float{});
    case DType::f64:
      return put(double{});
    case DType::i64:
      return put(std::int64_t{});
    case DType::i32:
      return put(std::int32_t{});
    case DType::i16:
      return put(std::int16_t{});
    case DType::i8:
      return put(std::int8_t{});
    case DType::u8:
      return put(std::uint8_t{});
    case DType::u16:
      return put(std::uint16_t{});
    case DType::u32:
      return put(std::uint32_t{});
    case DType::u64:
      return put(std::uint64_t{});
    case DType::boolean:
      p[i] = x != 0 ? std::byte{1} : std::byte{0};
      return;
    case DType::f16: {
      const std::uint16_t h = float_to_half(static_cast<float>(x));
      std::memcpy(p + i * 2, &h, 2);
      return;
    }
  }
}

// Would element value x survive the trip to dtype t unchanged?
bool representable(double x, DType t) {
  if (std::isnan(x)) return is_floating(t);
  switch (t) {
    case DType::f64:
      return true;
    case DType::f32:
      return std::isinf(x) || static_cast<double>(static_cast<float>(x)) == x;
    case DType::f16:
      return static_cast<double>(half_to_float(float_to_half(static_cast<float>(x)))) == x;
    case DType::boolean:
      return x == 0 || x == 1;
    default:
      break;
  }
  if (std::isinf(x) || x != std::floor(x)) return false;
  auto in = [&]<typename T>(T) {
    return x >= static_cast<double>(std::numeric_limits<T>::min()) &&
           x <= static_cast<double>(std::numeric_limits<T>::max());
  };
  switch (t) {
    case DType::i64:
      return x >= -9223372036854775808.0 && x < 9223372036854775808.0;
    case DType::u64:
      return x >= 0 && x < 18446744073709551616.0;
    case DType::i32:
      return in(std::int32_t{});
    case DType::i16:
      return in(std::int16_t{});
    case DType::i8:
      return in(std::int8_t{});
    case DType::u8:
      return in(std::uint8_t{});
    case DType::u16:
      return in(std::uint16_t{});
    case DType::u32:
      return in(std::uint32_t{});
    default:
      return false;
  }
}

}  // namespace

Value::Value(std::string n, DType t, Shape s)
    : name(std::move(n)), dtype(t), shape(std::move(s)), bytes(byte_count(t, shape, name)) {}

Value::Value(std::string n, DType t, Shape s, std::vector<std::byte> b)
    : name(std::move(n)), dtype(t), shape(std::move(s)), bytes(std::move(b)) {
  const std::size_t want = byte_count(dtype, shape, name);
  if (bytes.size() != want)
    fail<DataError>("{}: {} {} needs {} bytes, got {}", name, dtype_name(dtype), shape_str(shape),
                    want, bytes.size());
}

void Value::check_element_size(std::size_t n) const {
  if (n != dtype_size(dtype))
    fail<DataError>("{}: {} elements read as {}-byte values", name, dtype_name(dtype), n);
}

std::int64_t Value::rows() const {
  if (shape.empty()) fail<DataError>("{}: a 0-d (scalar) tensor has no batch axis", name);
  return shape.front();
}

std::size_t Value::row_bytes() const {
  return shape.empty() ? 0 : element_count(std::span(shape).subspan(1)) * dtype_size(dtype);
}

double Value::at(std::size_t i) const {
  if (i >= elements()) fail<DataError>("{}: element {} of {}", name, i, elements());
  Value one(name, dtype, {1});
  std::memcpy(one.bytes.data(), bytes.data() + i * dtype_size(dtype), dtype_size(dtype));
  double out = 0;
  for_each_element(one, [&](std::size_t, double x) { out = x; });
  return out;
}

Value Value::slice_rows(std::int64_t begin, std::int64_t end) const {
  if (begin < 0 || end > rows() || begin > end)
    fail<DataError>("{}: row slice [{}, {}) outside shape {}", name, begin, end, shape_str(shape));
  Shape s = shape;
  s.front() = end - begin;
  const std::size_t rb = row_bytes();
  const auto* p = bytes.data() + static_cast<std::size_t>(begin) * rb;
  return Value(name, dtype, std::move(s),
               std::vector<std::byte>(p, p + static_cast<std::size_t>(end - begin) * rb));
}

std::string describe(const Value& v) {
  return fmt::format("{}: {} {}", v.name, dtype_name(v.dtype), shape_str(v.shape));
}

Value from_tensor(std::string name, const Tensor& t) {
  Value v(std::move(name), DType::f32, t.shape);
  std::memcpy(v.bytes.data(), t.data.data(), v.bytes.size());
  return v;
}

Tensor to_f32(const Value& v) {
  Tensor t(v.shape);
  if (v.dtype == DType::f32) {
    std::memcpy(t.data.data(), v.bytes.data(), v.bytes.size());
    return t;
  }
  for_each_element(v, [&](std::size_t i, double x) { t.data[i] = static_cast<float>(x); });
  return t;
}

std::vector<double> to_f64(const Value& v) {
  std::vector<double> out(v.elements());
  for_each_element(v, [&](std::size_t i, double x) { out[i] = x; });
  return out;
}

Value cast_exact(const Value& v, DType to) {
  if (v.dtype == to) return v;
  // Through double: exact for every dtype pair except 64-bit integers beyond 2^53, which are
  // refused rather than rounded.
  Value out(v.name, to, v.shape);
  for_each_element(v, [&](std::size_t i, double x) {
    const bool wide =
        (v.dtype == DType::i64 || v.dtype == DType::u64) && std::fabs(x) > 9007199254740992.0;
    if (wide || !representable(x, to))
      fail<DataError>("{}: element {} ({}) of this {} tensor is not exactly representable as {}",
                      v.name, i, x, dtype_name(v.dtype), dtype_name(to));
    store(out.bytes.data(), to, i, x);
  });
  return out;
}

Value concat_rows(std::span<const Value> parts) {
  if (parts.empty()) return {};
  const Value& first = parts.front();
  Shape s = first.shape;
  if (s.empty()) fail<DataError>("{}: a 0-d tensor cannot be concatenated", first.name);
  s.front() = 0;
  std::size_t total = 0;
  for (const auto& p : parts) {
    if (p.dtype != first.dtype || p.shape.size() != s.size() ||
        !std::equal(p.shape.begin() + 1, p.shape.end(), s.begin() + 1))
      fail<DataError>("cannot concatenate {} and {}", describe(first), describe(p));
    s.front() += p.shape.front();
    total += p.bytes.size();
  }
  std::vector<std::byte> b;
  b.reserve(total);
  for (const auto& p : parts) b.insert(b.end(), p.bytes.begin(), p.bytes.end());
  return Value(first.name, first.dtype, std::move(s), std::move(b));
}

const Value* find_value(const Values& vs, std::string_view name) {
  for (const auto& v : vs)
    if (v.name == name) return &v;
  return nullptr;
}

std::optional<std::int64_t> first_non_finite_row(const Value& v) {
  if (!is_floating(v.dtype) || v.elements() == 0) return std::nullopt;
  const std::size_t per =
      v.shape.empty()
          ? 1
          : v.elements() / static_cast<std::size_t>(std::max<std::int64_t>(1, v.shape.front()));
  std::optional<std::int64_t> bad;
  for_each_element(v, [&](std::size_t i, double x) {
    if (!bad && !std::isfinite(x)) bad = static_cast<std::int64_t>(per ? i / per : 0);
  });
  return bad;
}

}  // namespace convbench
