#pragma once
// Minimal .npy (NumPy format 1.0, little-endian, C order) writer and reader: the hand-off format
// between the C++ data loaders and the Python zoo, which trains on exactly the bytes we decode.
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "core/tensor.hpp"

namespace convbench {

void write_npy(const std::filesystem::path& path, const Tensor& t);
void write_npy(const std::filesystem::path& path, std::span<const std::int64_t> values);

Tensor read_npy_f32(const std::filesystem::path& path);

}  // namespace convbench
