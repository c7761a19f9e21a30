#pragma once
// Finding a dataset's files in the directory `convbench data fetch` filled.
#include <filesystem>
#include <string_view>

namespace convbench {

// Finds <stem> or <stem>.gz in dir; DataError if neither exists.
std::filesystem::path find_data_file(const std::filesystem::path& dir, std::string_view stem);

// True if dir holds <stem> or <stem>.gz.
bool has_data_file(const std::filesystem::path& dir, std::string_view stem);

}  // namespace convbench
