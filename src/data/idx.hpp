#pragma once
// Reader for the IDX format MNIST ships in: 2 zero bytes, a type byte (0x08 = unsigned byte),
// a dimension count, that many big-endian uint32 sizes, then the data. Raw or gzipped.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace convbench {

struct IdxArray {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> data;
};

// Throws DataError naming the file for a bad magic, a wrong type, or a size mismatch.
IdxArray read_idx(const std::filesystem::path& path);

}  // namespace convbench
