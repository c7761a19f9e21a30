#pragma once
// Whole-file reading (transparently gunzipping *.gz), hashing and on-disk size.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace convbench {

using Bytes = std::vector<std::uint8_t>;

// Reads a file; if its content starts with the gzip magic it is decompressed.
// A truncated or corrupt gzip stream is a DataError naming the file.
Bytes read_file(const std::filesystem::path& path);

void write_file(const std::filesystem::path& path, const void* data, std::size_t size);

// Lower-case hex SHA-256 of a file's raw bytes (not decompressed).
std::string sha256_file(const std::filesystem::path& path);

// Bytes on disk of a file, or the sum over a directory tree (a SavedModel, an .mlpackage).
std::uintmax_t disk_size(const std::filesystem::path& path);

}  // namespace convbench
