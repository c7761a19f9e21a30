#include "data/data_files.hpp"

#include "core/error.hpp"

namespace convbench {
namespace fs = std::filesystem;

bool has_data_file(const fs::path& dir, std::string_view stem) {
  return fs::exists(dir / stem) || fs::exists(dir / (std::string(stem) + ".gz"));
}

fs::path find_data_file(const fs::path& dir, std::string_view stem) {
  for (const auto& candidate : {dir / stem, dir / (std::string(stem) + ".gz")})
    if (fs::exists(candidate)) return candidate;
  fail<DataError>("{}: no {} or {}.gz (run `convbench data fetch`)", dir.string(), stem, stem);
}

}  // namespace convbench
