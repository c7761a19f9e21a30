#pragma once
// The one .npy reader and writer (NumPy format 1.0-3.0, little-endian, C order, every dtype of
// dtype.hpp): the hand-off format between the C++ side and the Python zoo, the user's inputs of
// `convbench check`, and the conformance suite's cases.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "core/tensor.hpp"
#include "core/value.hpp"

namespace convbench {

// Written to a temporary file beside `path`, then renamed into place: an interrupted write never
// leaves a file that looks whole.
void write_npy(const std::filesystem::path& path, const Value& v);
void write_npy(const std::filesystem::path& path, const Tensor& t);
void write_npy(const std::filesystem::path& path, std::span<const std::int64_t> values);

// DataError naming `what` for a bad magic, an unsupported dtype or order, a shape that overflows,
// or a data size that does not match the header. The value is named `name` (default: empty).
Value parse_npy(std::string_view bytes, const std::string& what, std::string name = "");
Value read_npy(const std::filesystem::path& path, std::string name = "");
// A float32 .npy as a Tensor (DataError for another dtype).
Tensor read_npy_f32(const std::filesystem::path& path);

}  // namespace convbench
