#pragma once
// Reader for the IDX format MNIST ships in: 2 zero bytes, a type byte (0x08 = unsigned byte),
// a dimension count, that many big-endian uint32 sizes, then the data. Raw or gzipped.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace convbench {

struct IdxArray {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> data;
};

// Decodes an IDX file's (decompressed) bytes; `name` names the file in errors. DataError for a
// bad magic, a wrong type, dimensions whose product overflows, or a size mismatch — the header's
// sizes are checked against the bytes there before anything is allocated.
IdxArray parse_idx(std::span<const std::uint8_t> bytes, std::string_view name);

// Throws DataError naming the file for a bad magic, a wrong type, or a size mismatch.
IdxArray read_idx(const std::filesystem::path& path);

}  // namespace convbench
