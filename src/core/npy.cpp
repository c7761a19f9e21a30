#include "core/npy.hpp"

#include <cstring>
#include <fstream>
#include <regex>
#include <string>

#include "core/error.hpp"
#include "core/file_io.hpp"

namespace convbench {
namespace {

constexpr char kMagic[] = "\x93NUMPY";

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

// Streams header and data straight to the file: no second in-memory copy of a large array.
void write(const std::filesystem::path& path, std::string_view descr,
           std::span<const std::int64_t> shape, const void* data, std::size_t bytes) {
  const std::string h = header(descr, shape);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail("{}: cannot open for writing", path.string());
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
  if (!out) fail("{}: write error", path.string());
}

}  // namespace

void write_npy(const std::filesystem::path& path, const Tensor& t) {
  write(path, "<f4", t.shape, t.data.data(), t.data.size() * sizeof(float));
}

void write_npy(const std::filesystem::path& path, std::span<const std::int64_t> values) {
  const std::int64_t n = static_cast<std::int64_t>(values.size());
  write(path, "<i8", std::span(&n, 1), values.data(), values.size_bytes());
}

Tensor read_npy_f32(const std::filesystem::path& path) {
  const Bytes b = read_file(path);
  if (b.size() < 10 || std::memcmp(b.data(), kMagic, 6) != 0)
    fail<DataError>("{}: not a .npy file (bad magic)", path.string());
  const std::size_t hlen = b[8] | (b[9] << 8);
  if (b[6] != 1 || b.size() < 10 + hlen)
    fail<DataError>("{}: unsupported .npy version or truncated header", path.string());
  const std::string h(b.begin() + 10, b.begin() + 10 + static_cast<std::ptrdiff_t>(hlen));
  if (h.find("'<f4'") == std::string::npos || h.find("'fortran_order': False") == std::string::npos)
    fail<DataError>("{}: only little-endian float32 C-order arrays are supported (header {})",
                    path.string(), h);
  std::smatch m;
  if (!std::regex_search(h, m, std::regex(R"('shape': \(([^)]*)\))")))
    fail<DataError>("{}: no shape in header", path.string());
  Shape shape;
  const std::string dims = m[1];
  const std::regex number(R"(\d+)");
  for (std::sregex_iterator it(dims.begin(), dims.end(), number), end; it != end; ++it)
    shape.push_back(std::stoll(it->str()));
  const std::size_t n = element_count(shape);
  const std::size_t offset = 10 + hlen;
  if (b.size() - offset != n * sizeof(float))
    fail<DataError>("{}: expected {} bytes of data for shape {}, found {}", path.string(),
                    n * sizeof(float), shape_str(shape), b.size() - offset);
  std::vector<float> d(n);
  std::memcpy(d.data(), b.data() + offset, n * sizeof(float));
  return Tensor(std::move(shape), std::move(d));
}

}  // namespace convbench
