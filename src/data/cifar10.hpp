#pragma once
// CIFAR-10, binary version: data_batch_1.bin .. data_batch_5.bin (train, in that order) and
// test_batch.bin (test). Each file is a run of 3073-byte records: 1 label byte (0..9), then the
// 32x32 red, green and blue planes, each row-major. batches.meta.txt names the classes.
#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/labelled_images.hpp"
#include "data/split.hpp"

namespace convbench {

inline constexpr std::size_t kCifar10Side = 32;
inline constexpr std::size_t kCifar10RecordBytes = 1 + 3 * kCifar10Side * kCifar10Side;  // 3073

// The standard per-channel (R, G, B) statistics of the 50,000 training images scaled to [0,1]
// (the values torchvision's and most CIFAR-10 examples use; the shared mirror's README confirms
// them for this data). Models are trained and measured on (x/255 - mean) / std.
inline constexpr std::array<double, 3> kCifar10Mean = {0.4914, 0.4822, 0.4465};
inline constexpr std::array<double, 3> kCifar10Std = {0.2470, 0.2435, 0.2616};

// kCifar10Mean/kCifar10Std as the normalisation to_tensor applies (in float32 arithmetic).
ChannelNorm cifar10_norm();

// Decodes the data of one batch file (`source` names it in errors) and appends its records.
// DataError if the size is not a whole number of records or a label is outside 0..9.
void append_cifar10_records(std::span<const std::uint8_t> bytes, std::string_view source,
                            LabelledImages& out);

// Reads a split from `dir`, which holds the batch files (raw or .gz), or holds them in
// cifar-10-batches-bin/, or holds the official archive cifar-10-binary.tar.gz (read in place).
LabelledImages load_cifar10(const std::filesystem::path& dir, Split split);

// The class names in label order, from batches.meta.txt where present (must name exactly 10
// classes), else the documented ones (airplane, automobile, ..., truck).
std::vector<std::string> cifar10_class_names(const std::filesystem::path& dir);

}  // namespace convbench
