#include "data/idx.hpp"

#include "core/error.hpp"
#include "core/file_io.hpp"

namespace convbench {

IdxArray parse_idx(std::span<const std::uint8_t> b, std::string_view name) {
  if (b.size() < 4) fail<DataError>("{}: too short for an IDX header ({} bytes)", name, b.size());
  if (b[0] != 0 || b[1] != 0)
    fail<DataError>("{}: not an IDX file (magic bytes {:#04x} {:#04x}, expected 0x00 0x00)", name,
                    b[0], b[1]);
  if (b[2] != 0x08)
    fail<DataError>("{}: IDX element type {:#04x} is not unsigned byte (0x08)", name, b[2]);
  const std::size_t ndims = b[3];
  if (ndims == 0) fail<DataError>("{}: IDX header declares no dimensions", name);
  const std::size_t header = 4 + 4 * ndims;
  if (b.size() < header)
    fail<DataError>("{}: truncated IDX header ({} bytes, {} needed for {} dimensions)", name,
                    b.size(), header, ndims);
  IdxArray a;
  std::size_t count = 1;
  bool overflow = false;
  for (std::size_t i = 0; i < ndims; ++i) {
    const std::uint8_t* p = &b[4 + 4 * i];
    const std::uint32_t d = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                            (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
    a.dims.push_back(d);
    // A product past 2^64 would wrap (e.g. [2^31, 2^31, 4] to 0) and pass the size check.
    overflow = overflow || __builtin_mul_overflow(count, std::size_t{d}, &count);
  }
  if (overflow)
    fail<DataError>("{}: IDX dimensions [{}] hold more bytes than any file can", name,
                    fmt::join(a.dims, ", "));
  if (b.size() - header != count)
    fail<DataError>("{}: IDX header promises {} data bytes, file has {} ({})", name, count,
                    b.size() - header, b.size() - header < count ? "truncated" : "trailing bytes");
  a.data.assign(b.begin() + static_cast<std::ptrdiff_t>(header), b.end());
  return a;
}

IdxArray read_idx(const std::filesystem::path& path) {
  const Bytes b = read_file(path);
  return parse_idx(b, path.string());
}

}  // namespace convbench
