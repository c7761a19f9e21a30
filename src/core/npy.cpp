#include "core/npy.hpp"

#include <cctype>
#include <cstring>
#include <string>

#include "core/error.hpp"
#include "core/file_io.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

std::string header(std::string_view descr, std::span<const std::int64_t> shape) {
  std::string dims;
  for (auto d : shape) dims += std::to_string(d) + ",";
  if (shape.size() > 1) dims.pop_back();  // (n,) needs the comma, (n, m) does not
  std::string h =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", descr, dims);
  // Pad so that magic(6) + version(2) + len(2) + header is a multiple of 64, ending in '\n'.
  const std::size_t total = 10 + h.size() + 1;
  h.append((64 - total % 64) % 64, ' ');
  h += '\n';
  return h;
}

// Header and data written straight from their buffers, atomically (core/file_io).
void write(const fs::path& path, std::string_view descr, std::span<const std::int64_t> shape,
           const void* data, std::size_t bytes) {
  const std::string h = header(descr, shape);
  if (h.size() > 0xffff) fail("{}: .npy header too long", path.string());
  const char preamble[] = {kMagic[0],
                           kMagic[1],
                           kMagic[2],
                           kMagic[3],
                           kMagic[4],
                           kMagic[5],
                           1,
                           0,
                           static_cast<char>(h.size() & 0xff),
                           static_cast<char>(h.size() >> 8)};
  const std::string_view parts[] = {
      {preamble, sizeof preamble}, h, {static_cast<const char*>(data), bytes}};
  write_file_parts(path, parts);
}

// The header dict as NumPy writes it: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
struct NpyHeader {
  std::string descr;
  Shape shape;
};

// A one-pass reader of that Python literal (no regex: libstdc++'s recurses once per character and
// overflows the stack on a long header). Anything else is a DataError naming `what`.
class HeaderReader {
 public:
  HeaderReader(std::string_view s, const std::string& what) : s_(s), what_(what) {}

  NpyHeader read() {
    NpyHeader h;
    bool descr = false, order = false, shape = false;
    expect('{');
    while (!eat('}')) {
      const std::string key = quoted();
      expect(':');
      if (key == "descr" && !descr) {
        h.descr = quoted();
        descr = true;
      } else if (key == "fortran_order" && !order) {
        const std::string_view w = word();
        if (w == "True") fail<DataError>("{}: only C-order arrays are supported", what_);
        if (w != "False")
          fail<DataError>("{}: malformed .npy header (fortran_order '{}')", what_, w);
        order = true;
      } else if (key == "shape" && !shape) {
        h.shape = dims();
        shape = true;
      } else {
        fail<DataError>("{}: unexpected or repeated key '{}' in .npy header", what_, key);
      }
      if (!eat(',')) {
        expect('}');
        break;
      }
    }
    skip_space();
    if (pos_ != s_.size()) fail<DataError>("{}: bytes after the .npy header dict", what_);
    if (!order) fail<DataError>("{}: no fortran_order in .npy header", what_);
    if (!descr) fail<DataError>("{}: no dtype in .npy header", what_);
    if (!shape) fail<DataError>("{}: no shape in .npy header", what_);
    return h;
  }

 private:
  static bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  void skip_space() {
    while (pos_ < s_.size() && space(s_[pos_])) ++pos_;
  }
  bool eat(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c))
      fail<DataError>("{}: malformed .npy header (expected '{}' at byte {})", what_, c, pos_);
  }
  // A '...' or "..." string without escapes (NumPy writes none in these three values).
  std::string quoted() {
    skip_space();
    const char q = pos_ < s_.size() ? s_[pos_] : '\0';
    if (q != '\'' && q != '"')
      fail<DataError>("{}: malformed .npy header (expected a string at byte {})", what_, pos_);
    const auto end = s_.find(q, pos_ + 1);
    if (end == std::string_view::npos)
      fail<DataError>("{}: malformed .npy header (unterminated string)", what_);
    const std::string out(s_.substr(pos_ + 1, end - pos_ - 1));
    if (out.find('\\') != std::string::npos)
      fail<DataError>("{}: malformed .npy header (escape in '{}')", what_, out);
    pos_ = end + 1;
    return out;
  }
  // A run of letters (True, False).
  std::string_view word() {
    skip_space();
    const std::size_t b = pos_;
    while (pos_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    return s_.substr(b, pos_ - b);
  }
  // (), (n,), (n, m), (n, m,) ...: each dimension at most 18 digits, so that it fits int64.
  Shape dims() {
    expect('(');
    Shape shape;
    while (!eat(')')) {
      skip_space();
      const std::size_t b = pos_;
      while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != ')' && !space(s_[pos_])) ++pos_;
      const std::string_view d = s_.substr(b, pos_ - b);
      if (d.empty() || d.size() > 18 || d.find_first_not_of("0123456789") != std::string::npos)
        fail<DataError>("{}: bad dimension '{}' in .npy shape", what_, d);
      shape.push_back(std::stoll(std::string(d)));
      if (!eat(',')) {
        expect(')');
        break;
      }
    }
    return shape;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  const std::string& what_;
};

NpyHeader parse_header(std::string_view h, const std::string& what) {
  return HeaderReader(h, what).read();
}

}  // namespace

void write_npy(const fs::path& path, const Value& v) {
  write(path, npy_descr(v.dtype), v.shape, v.bytes.data(), v.bytes.size());
}

void write_npy(const fs::path& path, const Tensor& t) {
  write(path, "<f4", t.shape, t.data.data(), t.data.size() * sizeof(float));
}

void write_npy(const fs::path& path, std::span<const std::int64_t> values) {
  const std::int64_t n = static_cast<std::int64_t>(values.size());
  write(path, "<i8", std::span(&n, 1), values.data(), values.size_bytes());
}

Value parse_npy(std::string_view b, const std::string& what, std::string name) {
  if (b.size() < 10 || b.substr(0, 6) != kMagic)
    fail<DataError>("{}: not a .npy array (bad magic)", what);
  const int major = static_cast<unsigned char>(b[6]);
  std::size_t hlen = 0, off = 0;
  if (major == 1) {
    hlen = static_cast<unsigned char>(b[8]) |
           (static_cast<std::size_t>(static_cast<unsigned char>(b[9])) << 8);
    off = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) fail<DataError>("{}: truncated .npy header", what);
    for (int i = 0; i < 4; ++i)
      hlen |= static_cast<std::size_t>(static_cast<unsigned char>(b[8 + i])) << (8 * i);
    off = 12;
  } else {
    fail<DataError>("{}: unsupported .npy version {}", what, major);
  }
  if (hlen > b.size() - off) fail<DataError>("{}: truncated .npy header", what);
  NpyHeader h = parse_header(b.substr(off, hlen), what);
  const auto dtype = dtype_from_npy(h.descr);
  if (!dtype)
    fail<DataError>(
        "{}: unsupported dtype '{}' (little-endian float16/32/64, int8-64, uint8-64, bool)", what,
        h.descr);
  Shape shape = std::move(h.shape);
  const std::string_view data = b.substr(off + hlen);
  std::size_t want = 0;
  try {
    want = element_count(shape);
  } catch (const DataError&) {
    fail<DataError>("{}: .npy shape {} overflows", what, shape_str(shape));
  }
  if (__builtin_mul_overflow(want, dtype_size(*dtype), &want) || data.size() != want)
    fail<DataError>("{}: the header says {} {} ({} bytes of data), the file holds {}", what,
                    dtype_name(*dtype), shape_str(shape), want, data.size());
  const auto* p = reinterpret_cast<const std::byte*>(data.data());
  return Value(std::move(name), *dtype, std::move(shape),
               std::vector<std::byte>(p, p + data.size()));
}

Value read_npy(const fs::path& path, std::string name) {
  const Bytes b = read_file(path);
  return parse_npy({reinterpret_cast<const char*>(b.data()), b.size()}, path.string(),
                   std::move(name));
}

Tensor read_npy_f32(const fs::path& path) {
  const Value v = read_npy(path);
  if (v.dtype != DType::f32)
    fail<DataError>("{}: expected a float32 array, found {}", path.string(), dtype_name(v.dtype));
  return to_f32(v);
}

}  // namespace convbench
