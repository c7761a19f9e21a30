#include "core/value.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

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

// Element codings: plain numeric types are stored as themselves; float16 and bool have their own.
struct Half {};
struct Bool {};

// Calls f(T{}) with the coding of dtype t: the one place a dtype becomes a C++ type.
template <typename F>
decltype(auto) with_coding(DType t, F&& f) {
  switch (t) {
    case DType::f32:
      return f(float{});
    case DType::f64:
      return f(double{});
    case DType::i64:
      return f(std::int64_t{});
    case DType::i32:
      return f(std::int32_t{});
    case DType::i16:
      return f(std::int16_t{});
    case DType::i8:
      return f(std::int8_t{});
    case DType::u8:
      return f(std::uint8_t{});
    case DType::u16:
      return f(std::uint16_t{});
    case DType::u32:
      return f(std::uint32_t{});
    case DType::u64:
      return f(std::uint64_t{});
    case DType::f16:
      return f(Half{});
    case DType::boolean:
      return f(Bool{});
  }
  return f(float{});  // unreachable: every enumerator is handled
}

template <typename T>
double load_as(const std::byte* p, std::size_t i) {
  if constexpr (std::is_same_v<T, Half>) {
    std::uint16_t h;
    std::memcpy(&h, p + i * 2, 2);
    return static_cast<double>(half_to_float(h));
  } else if constexpr (std::is_same_v<T, Bool>) {
    return p[i] != std::byte{0} ? 1.0 : 0.0;
  } else {
    T x;
    std::memcpy(&x, p + i * sizeof(T), sizeof(T));
    return static_cast<double>(x);
  }
}

// Writes x (already checked representable) as element i.
template <typename T>
void store_as(std::byte* p, std::size_t i, double x) {
  if constexpr (std::is_same_v<T, Half>) {
    const std::uint16_t h = float_to_half(static_cast<float>(x));
    std::memcpy(p + i * 2, &h, 2);
  } else if constexpr (std::is_same_v<T, Bool>) {
    p[i] = x != 0 ? std::byte{1} : std::byte{0};
  } else {
    const T y = static_cast<T>(x);
    std::memcpy(p + i * sizeof(T), &y, sizeof(T));
  }
}

template <typename F>
void for_each_element(const Value& v, F&& f) {  // f(index, double value)
  const std::size_t n = v.elements();
  const std::byte* p = v.bytes.data();
  with_coding(v.dtype, [&]<typename T>(T) {
    for (std::size_t i = 0; i < n; ++i) f(i, load_as<T>(p, i));
  });
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
  return with_coding(dtype, [&]<typename T>(T) { return load_as<T>(bytes.data(), i); });
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
  if (!v.bytes.empty())  // an empty vector's data() may be null: memcpy(null, null, 0) is UB
    std::memcpy(v.bytes.data(), t.data.data(), v.bytes.size());
  return v;
}

Tensor to_f32(const Value& v) {
  Tensor t(v.shape);
  if (v.dtype == DType::f32) {
    if (!v.bytes.empty()) std::memcpy(t.data.data(), v.bytes.data(), v.bytes.size());
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

Value cast_exact(Value v, DType to) {
  if (v.dtype == to) return v;
  // Through double: exact for every dtype pair except 64-bit integers beyond 2^53, which are
  // refused rather than rounded.
  Value out(v.name, to, v.shape);
  const bool wide_source = v.dtype == DType::i64 || v.dtype == DType::u64;
  with_coding(to, [&]<typename T>(T) {
    for_each_element(v, [&](std::size_t i, double x) {
      if ((wide_source && std::fabs(x) > 9007199254740992.0) || !representable(x, to))
        fail<DataError>("{}: element {} ({}) of this {} tensor is not exactly representable as {}",
                        v.name, i, x, dtype_name(v.dtype), dtype_name(to));
      store_as<T>(out.bytes.data(), i, x);
    });
  });
  return out;
}

Value cast_for_model(Value v, DType to) {
  if (v.dtype == to || !is_floating(v.dtype) || !is_floating(to))
    return cast_exact(std::move(v), to);
  // Between floating dtypes a runtime rounds too (float32 data into an fp16 model): round to
  // nearest, refusing only what would overflow to infinity.
  Value out(v.name, to, v.shape);
  with_coding(to, [&]<typename T>(T) {
    for_each_element(v, [&](std::size_t i, double x) {
      const double r =
          to == DType::f16
              ? static_cast<double>(half_to_float(float_to_half(static_cast<float>(x))))
          : to == DType::f32 ? static_cast<double>(static_cast<float>(x))
                             : x;
      if (std::isinf(r) && !std::isinf(x))
        fail<DataError>("{}: element {} ({}) overflows {}", v.name, i, x, dtype_name(to));
      store_as<T>(out.bytes.data(), i, r);
    });
  });
  return out;
}

std::string first_difference(const Value& want, const Value& got, double rtol, double atol) {
  if (want.dtype != got.dtype)
    return fmt::format("{}: dtype {} vs {}", want.name, dtype_name(got.dtype),
                       dtype_name(want.dtype));
  if (want.shape != got.shape)
    return fmt::format("{}: shape {} vs {}", want.name, shape_str(got.shape),
                       shape_str(want.shape));
  const auto w = to_f64(want), g = to_f64(got);
  for (std::size_t i = 0; i < w.size(); ++i) {
    if ((std::isnan(w[i]) && std::isnan(g[i])) || w[i] == g[i]) continue;
    if (!(std::fabs(g[i] - w[i]) <= atol + rtol * std::fabs(w[i])))
      return fmt::format("{}: element {} = {} vs {}", want.name, i, g[i], w[i]);
  }
  return "";
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
