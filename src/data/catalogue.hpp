#pragma once
// The official files of each dataset, where they are published, and their SHA-256; plus the
// layout a local mirror may hold instead (the shared mirror keeps CIFAR-10 as per-batch .bin.gz
// files and IMDb as a .tar.xz, not as the official tarballs). Every loader reads both.
#include <string>
#include <string_view>
#include <vector>

namespace convbench {

struct RemoteFile {
  std::string name;               // file name as published
  std::string sha256;             // of the file as published (compressed where it is)
  std::vector<std::string> urls;  // tried in order; empty: only found in a mirror
};

struct DatasetSpec {
  std::string name;                           // "mnist"
  std::vector<RemoteFile> files;              // the official layout: what a download gets
  std::vector<RemoteFile> mirror_files = {};  // another accepted layout, only from a mirror
  std::string mirror_dir = {};                // the dataset's folder in a mirror root ("" = name)
};

const DatasetSpec& dataset_spec(std::string_view name);
std::vector<std::string> dataset_names();

}  // namespace convbench
