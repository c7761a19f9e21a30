#pragma once
// Puts a dataset's official files into a directory: from a local mirror when one is given
// (these machines reach no dataset host), else by download; every file's SHA-256 is checked.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "data/catalogue.hpp"

namespace convbench {

struct FetchOptions {
  std::filesystem::path out_dir;
  std::optional<std::filesystem::path>
      mirror;  // searched as <mirror>/<file>, <mirror>/<dataset>/<file>
  bool allow_download = true;
};

enum class FetchSource { already_present, mirror, download };

struct FetchedFile {
  std::filesystem::path path;
  FetchSource source;
};

// Throws DataError on a checksum mismatch (the bad file is not left in out_dir).
std::vector<FetchedFile> fetch_dataset(const DatasetSpec& spec, const FetchOptions& opt);

}  // namespace convbench
