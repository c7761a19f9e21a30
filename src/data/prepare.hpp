#pragma once
// Writes a dataset as .npy arrays for the Python zoo to train on, so that the zoo and every
// runtime see the inputs that the one C++ decoder produced (preprocessing written once).
#include <filesystem>
#include <string_view>
#include <vector>

namespace convbench {

// Writes train_x.npy, train_y.npy, test_x.npy, test_y.npy (x: float32 NCHW, y: int64) into out.
std::vector<std::filesystem::path> prepare_npy(std::string_view dataset,
                                               const std::filesystem::path& data_dir,
                                               const std::filesystem::path& out);

}  // namespace convbench
