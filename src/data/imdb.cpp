#include "data/imdb.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/archive.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kRoot = "aclImdb";
constexpr std::array<std::string_view, 2> kArchives = {"aclImdb_v1.tar.gz", "aclImdb.tar.xz"};

// Parses a non-empty run of decimal digits; nullopt otherwise.
std::optional<std::int64_t> parse_digits(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty() || s.size() > 9 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// The reviews of the splits asked for, by split and label, while they are collected.
class Collector {
 public:
  explicit Collector(std::span<const Split> splits) {
    for (auto s : splits) wanted_[static_cast<int>(s)] = true;
  }

  bool wants(std::string_view split) const { return wanted_[split == "train" ? 0 : 1]; }

  // If `rel` (relative to aclImdb/, '/'-separated) is a review of a wanted split, its split
  // (0 train, 1 test) and parsed name; nullopt for files to ignore. `source` names the file in
  // errors.
  std::optional<std::pair<int, Review>> classify(std::string_view rel,
                                                 const std::string& source) const {
    const auto a = rel.find('/');
    if (a == std::string_view::npos) return std::nullopt;
    const auto b = rel.find('/', a + 1);
    if (b == std::string_view::npos || rel.find('/', b + 1) != std::string_view::npos)
      return std::nullopt;
    const std::string_view split = rel.substr(0, a), cls = rel.substr(a + 1, b - a - 1),
                           name = rel.substr(b + 1);
    int s = -1;
    if (split == "train") s = 0;
    if (split == "test") s = 1;
    if (s < 0 || !wanted_[s] || (cls != "pos" && cls != "neg")) return std::nullopt;
    Review r;
    r.label = cls == "pos" ? 1 : 0;
    const auto us = name.find('_');
    const bool txt = name.ends_with(".txt");
    const auto id =
        us == std::string_view::npos || !txt ? std::nullopt : parse_digits(name.substr(0, us));
    const auto rating = us == std::string_view::npos || !txt
                            ? std::nullopt
                            : parse_digits(name.substr(us + 1, name.size() - 4 - us - 1));
    if (!id || !rating)
      fail<DataError>("{}: malformed review file name '{}' (expected <id>_<rating>.txt)", source,
                      name);
    r.id = *id;
    r.rating = static_cast<int>(*rating);
    const bool fits =
        r.label == 1 ? (r.rating >= 7 && r.rating <= 10) : (r.rating >= 1 && r.rating <= 4);
    if (!fits)
      fail<DataError>("{}: rating {} does not belong in {}/ ({})", source, r.rating, cls,
                      r.label == 1 ? "pos has 7..10" : "neg has 1..4");
    return std::pair{s, std::move(r)};
  }

  void add(int split, Review r) { parts_[split][r.label].push_back(std::move(r)); }

  // Checks each wanted split and class and puts them in the documented order.
  ImdbSplits finish(const std::string& where) {
    ImdbSplits out;
    for (int s = 0; s < 2; ++s) {
      if (!wanted_[s]) continue;
      std::vector<Review>& dest = s == 0 ? out.train : out.test;
      for (int label = 0; label < 2; ++label) {
        auto& v = parts_[s][label];
        const std::string folder =
            fmt::format("{}/{}/{}", kRoot, s == 0 ? "train" : "test", kImdbClassNames[label]);
        if (v.empty())
          fail<DataError>("{}: no reviews in {} (folder missing or empty)", where, folder);
        std::sort(v.begin(), v.end(), [](const Review& x, const Review& y) { return x.id < y.id; });
        for (std::size_t i = 1; i < v.size(); ++i)
          if (v[i].id == v[i - 1].id)
            fail<DataError>("{}: review id {} appears twice in {}", where, v[i].id, folder);
      }
      auto& neg = parts_[s][0];
      auto& pos = parts_[s][1];
      dest.reserve(neg.size() + pos.size());
      for (std::size_t i = 0; i < std::max(neg.size(), pos.size()); ++i) {
        if (i < neg.size()) dest.push_back(std::move(neg[i]));
        if (i < pos.size()) dest.push_back(std::move(pos[i]));
      }
      neg.clear();
      pos.clear();
    }
    return out;
  }

 private:
  std::array<bool, 2> wanted_{};
  std::array<std::array<std::vector<Review>, 2>, 2> parts_;  // [split][label]
};

ImdbSplits from_folder(const fs::path& root, Collector& c) {
  for (std::string_view split : {"train", "test"})
    for (const auto& cls : kImdbClassNames) {
      if (!c.wants(split)) continue;
      const fs::path folder = root / split / cls;
      if (!fs::is_directory(folder))
        fail<DataError>(
            "{}: missing (expected the official aclImdb layout, "
            "{{train,test}}/{{pos,neg}}/<id>_<rating>.txt)",
            folder.string());
      for (const auto& e : fs::directory_iterator(folder)) {
        if (!e.is_regular_file()) continue;
        const std::string rel = fmt::format("{}/{}/{}", split, cls, e.path().filename().string());
        auto r = c.classify(rel, e.path().string());
        const Bytes b = read_file(e.path());
        r->second.text.assign(b.begin(), b.end());
        c.add(r->first, std::move(r->second));
      }
    }
  return c.finish(root.string());
}

ImdbSplits from_archive(const fs::path& file, Collector& c) {
  ArchiveReader ar(file);
  const std::string prefix = std::string(kRoot) + "/";
  while (ar.next()) {
    const std::string_view p = ar.entry_path();
    if (!p.starts_with(prefix)) continue;
    const std::string_view rel = p.substr(prefix.size());
    auto r = c.classify(rel, fmt::format("{}:{}", file.string(), p));
    if (!r) continue;
    r->second.text = ar.read();
    c.add(r->first, std::move(r->second));
  }
  return c.finish(file.string());
}

}  // namespace

ImdbSplits load_imdb(const fs::path& dir, std::span<const Split> splits) {
  Collector c(splits);
  if (fs::is_directory(dir / kRoot)) return from_folder(dir / kRoot, c);
  if (fs::is_directory(dir / "train") || fs::is_directory(dir / "test")) return from_folder(dir, c);
  for (auto name : kArchives)
    if (fs::exists(dir / name)) return from_archive(dir / name, c);
  fail<DataError>(
      "{}: no IMDb data: expected the folder {}/ (or to be it), or {} or {} "
      "(run `convbench data fetch imdb`)",
      dir.string(), kRoot, kArchives[0], kArchives[1]);
}

std::vector<Review> load_imdb(const fs::path& dir, Split split) {
  auto both = load_imdb(dir, std::span(&split, 1));
  return split == Split::train ? std::move(both.train) : std::move(both.test);
}

}  // namespace convbench
