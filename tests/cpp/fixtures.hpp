#pragma once
// Writers of small files in the official dataset formats, for tests: valid ones and
// deliberately broken ones.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace convbench::testing {

// IDX with unsigned-byte elements; gz = gzip the file.
void write_idx(const std::filesystem::path& path, const std::vector<std::uint32_t>& dims,
               const std::vector<std::uint8_t>& data, bool gz = false);

// A learnable MNIST look-alike: class k draws a bright bar whose position depends on k, plus
// seeded noise. Writes the four official file names (gzipped) into dir.
void write_synthetic_mnist(const std::filesystem::path& dir, std::uint32_t train_count,
                           std::uint32_t test_count, std::uint32_t seed = 1);

// Writes bytes to path, gzipped when gz.
void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes,
                 bool gz = false);

// A CIFAR-10 binary batch: record i is labels[i] followed by the 3072 bytes
// pixels[i*3072 .. (i+1)*3072) (R, G, B planes of 32x32).
void write_cifar_batch(const std::filesystem::path& path, const std::vector<std::uint8_t>& labels,
                       const std::vector<std::uint8_t>& pixels, bool gz = false);

// Pixel value of (record, channel, pixel index) in write_synthetic_cifar10's batches.
std::uint8_t cifar_pattern(std::uint32_t record, std::uint32_t channel, std::uint32_t pixel);

// data_batch_1..5.bin (per_batch records each) and test_batch.bin (test_count records), .gz when
// gz, plus batches.meta.txt, into dir. Global record r (train: across batches in order) has
// label r % 10 and pixels cifar_pattern(r, c, p).
void write_synthetic_cifar10(const std::filesystem::path& dir, std::uint32_t per_batch,
                             std::uint32_t test_count, bool gz = true);

// A tar archive of (path, content) entries, compressed by the name's extension: .tar.gz,
// .tar.xz or plain .tar. A path ending in '/' is a directory entry.
void write_tar(const std::filesystem::path& path,
               const std::vector<std::pair<std::string, std::string>>& entries);

struct FixtureReview {
  std::string split, cls;  // "train"/"test", "pos"/"neg"
  std::int64_t id;
  int rating;
  std::string text;
};

// A tiny aclImdb: 3 neg + 2 pos train reviews, 2 neg + 2 pos test reviews (ids deliberately
// not in file-system order), with <br /> tags, punctuation and UTF-8.
std::vector<FixtureReview> tiny_imdb_reviews();

// The aclImdb/ tree of `reviews` (plus README, imdb.vocab and train/unsup/, which loaders
// ignore) as (path, content) entries.
std::vector<std::pair<std::string, std::string>> imdb_entries(
    const std::vector<FixtureReview>& reviews);

// Writes imdb_entries(reviews) under dir (dir/aclImdb/...).
void write_imdb_folder(const std::filesystem::path& dir, const std::vector<FixtureReview>& reviews);

}  // namespace convbench::testing
