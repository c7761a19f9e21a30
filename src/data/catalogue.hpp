#pragma once
// The official files of each dataset, where they are published, and their SHA-256.
#include <string>
#include <string_view>
#include <vector>

namespace convbench {

struct RemoteFile {
  std::string name;               // file name as published
  std::string sha256;             // of the file as published (compressed where it is)
  std::vector<std::string> urls;  // tried in order
};

struct DatasetSpec {
  std::string name;  // "mnist"
  std::vector<RemoteFile> files;
};

const DatasetSpec& dataset_spec(std::string_view name);
std::vector<std::string> dataset_names();

}  // namespace convbench
