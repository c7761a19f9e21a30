#pragma once
// Whole-file reading (transparently gunzipping *.gz), atomic writing, hashing and on-disk size.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace convbench {

using Bytes = std::vector<std::uint8_t>;

// Reads a file; if its content starts with the gzip magic it is decompressed.
// A truncated or corrupt gzip stream is a DataError naming the file.
Bytes read_file(const std::filesystem::path& path);

// Atomic, checked writes: the content goes to a temporary file beside `path` that is renamed
// into place; an Error names the path and the step that failed (open, write, close, rename).
void write_file_parts(const std::filesystem::path& path, std::span<const std::string_view> parts);
void write_file(const std::filesystem::path& path, const void* data, std::size_t size);
void write_text(const std::filesystem::path& path, std::string_view text);

// Lower-case hex SHA-256 of a file's raw bytes (not decompressed), or of a string.
std::string sha256_file(const std::filesystem::path& path);
std::string sha256_hex(std::string_view bytes);

// Bytes on disk of a file, or the sum over a directory tree (a SavedModel, an .mlpackage).
std::uintmax_t disk_size(const std::filesystem::path& path);

}  // namespace convbench
