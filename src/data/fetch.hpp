#pragma once
// Puts a dataset's files into a directory: from a local mirror when one is given (these machines
// reach no dataset host), else by download; every file's SHA-256 is checked. A mirror may hold
// the official layout or the dataset's mirror layout (catalogue.hpp); the official one wins when
// both are complete.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "data/catalogue.hpp"

namespace convbench {

struct FetchOptions {
  std::filesystem::path out_dir;
  // Searched as <mirror>/<file>, <mirror>/<mirror_dir>/<file>, <mirror>/<dataset>/<file>.
  std::optional<std::filesystem::path> mirror;
  bool allow_download = true;
};

enum class FetchSource { already_present, mirror, download };

struct FetchedFile {
  std::filesystem::path path;
  FetchSource source;
};

// Throws DataError on a checksum mismatch (the bad file is not left in out_dir), or when the
// mirror holds no complete layout.
std::vector<FetchedFile> fetch_dataset(const DatasetSpec& spec, const FetchOptions& opt);

}  // namespace convbench
