#pragma once
// Each dataset as a description (data, not a name compared in code): its official files, where
// they are published and their SHA-256, plus the layout a local mirror may hold instead (the
// shared mirror keeps CIFAR-10 as per-batch .bin.gz files and IMDb as a .tar.xz, not as the
// official tarballs; every loader reads both); its modality, what a model of it takes, how its
// images are loaded and standardised, and its attack defaults. Adding a dataset is an entry here
// (and its loader).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.hpp"
#include "data/imdb.hpp"
#include "data/labelled_images.hpp"
#include "data/split.hpp"

namespace convbench {

enum class Modality { image, text };
std::string_view to_string(Modality m);  // "image", "text"

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

  Modality modality = Modality::image;
  DType input_dtype = DType::f32;  // what a model of it takes: float32 pixels, int64 token ids
  // Image datasets: the decoder of a split, and the per-channel standardisation after x/255.
  LabelledImages (*load_images)(const std::filesystem::path& dir, Split split) = nullptr;
  std::optional<ChannelNorm> norm = std::nullopt;
  // Image datasets: channels, height, width of every image (a file that says otherwise is
  // refused: models of the dataset take exactly this shape).
  std::vector<std::int64_t> image_shape = {};
  // Text datasets: the decoder of a split's reviews (labelled texts).
  std::vector<Review> (*load_texts)(const std::filesystem::path& dir, Split split) = nullptr;
  // RQ3 defaults (docs/robustness.md); a study config may override them.
  double fgsm_epsilon = 0;       // share of each element's range; 0: FGSM does not apply
  float boundary_l2_budget = 0;  // L2 in the preprocessed input space; 0: Boundary does not apply
};

const DatasetSpec& dataset_spec(std::string_view name);
std::vector<std::string> dataset_names();

}  // namespace convbench
