#pragma once
// The IMDb Large Movie Review Dataset (aclImdb): aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt,
// one review per file; pos (label 1) has ratings 7..10, neg (label 0) 1..4. Other files
// (README, imdb.vocab, urls_*.txt, *.feat, train/unsup/) are ignored.
//
// Read from an extracted folder (`dir` contains aclImdb/, or is it) or, without extracting it,
// from the tar archive in `dir`: aclImdb_v1.tar.gz (official) or aclImdb.tar.xz (the shared
// mirror).
//
// Order of a split (deterministic, and class-balanced in every prefix): neg and pos each sorted
// by numeric id, then interleaved neg, pos, neg, pos, ...; if one class has more reviews, its
// extra ones come last. So the first N reviews hold ceil(N/2) neg and floor(N/2) pos, and a
// limit never gives one class only. (The official splits have ids 0..12499 in both classes, so
// this equals sorting by (id, label).)
#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "data/split.hpp"

namespace convbench {

struct Review {
  std::int64_t id = 0;
  int rating = 0;
  std::int64_t label = 0;  // 0 = neg, 1 = pos
  std::string text;        // the file's bytes (UTF-8, with <br /> tags)
};

inline const std::array<std::string, 2> kImdbClassNames = {"neg", "pos"};

struct ImdbSplits {
  std::vector<Review> train, test;  // empty for a split not asked for
};

// Reads the given splits in one pass (an archive is decompressed once). DataError naming the
// file for a malformed review file name, a rating outside its class, a duplicate id, or a
// missing or empty {split}/{pos,neg} folder.
ImdbSplits load_imdb(const std::filesystem::path& dir, std::span<const Split> splits);
std::vector<Review> load_imdb(const std::filesystem::path& dir, Split split);

}  // namespace convbench
