#pragma once
// MNIST from its four official IDX files (raw or .gz) in one directory.
#include <filesystem>

#include "data/data_files.hpp"
#include "data/labelled_images.hpp"
#include "data/split.hpp"

namespace convbench {

LabelledImages load_mnist(const std::filesystem::path& dir, Split split);

}  // namespace convbench
