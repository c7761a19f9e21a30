#include "core/npy.hpp"

#include <unistd.h>

#include <cstring>
#include <fstream>
#include <regex>
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

// Streams header and data straight to a temporary file, then renames it into place.
void write(const fs::path& path, std::string_view descr, std::span<const std::int64_t> shape,
           const void* data, std::size_t bytes) {
  const std::string h = header(descr, shape);
  if (h.size() > 0xffff) fail("{}: .npy header too long", path.string());
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  const fs::path tmp = path.string() + fmt::format(".tmp{}", ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail("{}: cannot open for writing", tmp.string());
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
    out.write(preamble, sizeof preamble);
    out.write(h.data(), static_cast<std::streamsize>(h.size()));
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
    out.close();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      fail("{}: write error (disk full?)", path.string());
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    fail("{}: cannot move the written file into place: {}", path.string(), ec.message());
  }
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
  const std::string h(b.substr(off, hlen));
  std::smatch m;
  if (!std::regex_search(h, m, std::regex(R"('fortran_order':\s*(True|False))")))
    fail<DataError>("{}: no fortran_order in .npy header", what);
  if (m[1] != "False") fail<DataError>("{}: only C-order arrays are supported", what);
  if (!std::regex_search(h, m, std::regex(R"('descr':\s*'([^']*)')")))
    fail<DataError>("{}: no dtype in .npy header", what);
  const std::string descr = m[1];
  const auto dtype = dtype_from_npy(descr);
  if (!dtype)
    fail<DataError>(
        "{}: unsupported dtype '{}' (little-endian float16/32/64, int8-64, uint8-64, bool)", what,
        descr);
  if (!std::regex_search(h, m, std::regex(R"('shape':\s*\(([^)]*)\))")))
    fail<DataError>("{}: no shape in .npy header", what);
  const std::string dims = m[1];
  Shape shape;
  const std::regex token(R"([^,\s]+)");
  for (std::sregex_iterator it(dims.begin(), dims.end(), token), end; it != end; ++it) {
    const std::string d = it->str();
    if (d.size() > 18 || d.find_first_not_of("0123456789") != std::string::npos)
      fail<DataError>("{}: bad dimension '{}' in .npy shape ({})", what, d, dims);
    shape.push_back(std::stoll(d));
  }
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
