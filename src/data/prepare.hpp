#pragma once
// Writes a dataset as .npy arrays for the Python zoo to train on, so that the zoo and every
// runtime see the inputs that the one C++ decoder produced (preprocessing written once,
// model_inputs.hpp), plus meta.json describing them (docs/datasets.md).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace convbench {

struct PrepareOptions {
  std::size_t vocab_words = 10000;  // text: the N most frequent training words (ids 2..N+1)
  std::size_t seq_len = 200;        // text: tokens per sample
  std::int64_t train_limit = 0;     // > 0: keep the first N samples of the split (IMDb:
  std::int64_t test_limit = 0;      //   class-balanced order, imdb.hpp)
};

// Writes train_x.npy, train_y.npy, test_x.npy, test_y.npy (x: float32 — images NCHW, text token
// ids [N, seq_len]; y: int64) and meta.json into out; for text also vocab.txt, built from the
// (kept) training samples only. Returns the files written.
std::vector<std::filesystem::path> prepare_npy(std::string_view dataset,
                                               const std::filesystem::path& data_dir,
                                               const std::filesystem::path& out,
                                               const PrepareOptions& opt = {});

}  // namespace convbench
