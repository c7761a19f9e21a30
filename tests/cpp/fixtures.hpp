#pragma once
// Writers of small files in the official dataset formats, for tests: valid ones and
// deliberately broken ones.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace convbench::testing {

// IDX with unsigned-byte elements; gz = gzip the file.
void write_idx(const std::filesystem::path& path, const std::vector<std::uint32_t>& dims,
               const std::vector<std::uint8_t>& data, bool gz = false);

// A learnable MNIST look-alike: class k draws a bright bar whose position depends on k, plus
// seeded noise. Writes the four official file names (gzipped) into dir.
void write_synthetic_mnist(const std::filesystem::path& dir, std::uint32_t train_count,
                           std::uint32_t test_count, std::uint32_t seed = 1);

}  // namespace convbench::testing
