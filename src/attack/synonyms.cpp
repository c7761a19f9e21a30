#include "attack/synonyms.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <thread>
#include <unordered_set>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/vocabulary.hpp"

namespace convbench {
namespace fs = std::filesystem;

// ---------------------------------------------------------------- SynonymTable

SynonymTable::SynonymTable(std::vector<std::vector<std::int64_t>> lists)
    : lists_(std::move(lists)) {
  const auto n = static_cast<std::int64_t>(lists_.size());
  for (std::int64_t id = 0; id < n; ++id) {
    std::unordered_set<std::int64_t> seen;
    for (const auto c : lists_[static_cast<std::size_t>(id)]) {
      if (c < 0 || c >= n)
        fail<UsageError>("synonym table: candidate {} of id {} is outside the vocabulary", c, id);
      if (c == Vocabulary::kPad || c == Vocabulary::kUnk)
        fail<UsageError>("synonym table: candidate of id {} is a reserved id ({})", id, c);
      if (c == id) fail<UsageError>("synonym table: id {} lists itself", id);
      if (!seen.insert(c).second)
        fail<UsageError>("synonym table: id {} lists candidate {} twice", id, c);
    }
  }
}

std::span<const std::int64_t> SynonymTable::candidates(std::int64_t id) const {
  if (id <= Vocabulary::kUnk || id >= static_cast<std::int64_t>(lists_.size())) return {};
  return lists_[static_cast<std::size_t>(id)];
}

std::size_t SynonymTable::words_with_candidates() const {
  return static_cast<std::size_t>(
      std::count_if(lists_.begin(), lists_.end(), [](const auto& l) { return !l.empty(); }));
}

std::size_t SynonymTable::total_candidates() const {
  std::size_t n = 0;
  for (const auto& l : lists_) n += l.size();
  return n;
}

// Keeps the words of `words` that are in `vocab` (not reserved, not `self`), in order, at most k.
static std::vector<std::int64_t> in_vocabulary(const Vocabulary& vocab,
                                               const std::vector<std::string>& words,
                                               std::int64_t self, std::size_t k) {
  std::vector<std::int64_t> ids;
  for (const auto& w : words) {
    if (ids.size() >= k) break;
    const auto id = vocab.id(w);
    if (id <= Vocabulary::kUnk || id == self) continue;
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

// ---------------------------------------------------------------- WordNet

namespace {

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const auto b = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > b) out.push_back(line.substr(b, i - b));
  }
  return out;
}

bool parse_number(std::string_view s, std::size_t& out, int base = 10) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_number(std::string_view s, float& out) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string read_text(const fs::path& file) {
  const Bytes b = read_file(file);
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// Regular English inflections, for putting a base-form synonym into the word's form.
enum class Inflection { none, s, ed, ing, er, est };

bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }
bool ends_with(std::string_view s, std::string_view suf) { return s.ends_with(suf); }

std::string inflect(const std::string& base, Inflection f) {
  const bool cons_y = base.size() > 1 && base.back() == 'y' && !is_vowel(base[base.size() - 2]);
  const auto stem_y = [&] { return base.substr(0, base.size() - 1); };
  switch (f) {
    case Inflection::none:
      return base;
    case Inflection::s:
      if (ends_with(base, "s") || ends_with(base, "x") || ends_with(base, "z") ||
          ends_with(base, "ch") || ends_with(base, "sh"))
        return base + "es";
      return cons_y ? stem_y() + "ies" : base + "s";
    case Inflection::ed:
      if (base.back() == 'e') return base + "d";
      return cons_y ? stem_y() + "ied" : base + "ed";
    case Inflection::ing:
      if (base.size() > 2 && base.back() == 'e' && !ends_with(base, "ee"))
        return base.substr(0, base.size() - 1) + "ing";
      return base + "ing";
    case Inflection::er:
      if (base.back() == 'e') return base + "r";
      return cons_y ? stem_y() + "ier" : base + "er";
    case Inflection::est:
      if (base.back() == 'e') return base + "st";
      return cons_y ? stem_y() + "iest" : base + "est";
  }
  return base;
}

// WordNet's morphy detachment rules (morph.c), per part of speech, with the inflection each undoes.
struct Rule {
  std::string_view suffix, ending;
  Inflection inflection;
};
const std::array<std::vector<Rule>, 4> kRules = {{
    {{"s", "", Inflection::s},
     {"ses", "s", Inflection::s},
     {"xes", "x", Inflection::s},
     {"zes", "z", Inflection::s},
     {"ches", "ch", Inflection::s},
     {"shes", "sh", Inflection::s},
     {"ies", "y", Inflection::s}},
    {{"s", "", Inflection::s},
     {"ies", "y", Inflection::s},
     {"es", "e", Inflection::s},
     {"es", "", Inflection::s},
     {"ed", "e", Inflection::ed},
     {"ed", "", Inflection::ed},
     {"ing", "e", Inflection::ing},
     {"ing", "", Inflection::ing}},
    {{"er", "", Inflection::er},
     {"est", "", Inflection::est},
     {"er", "e", Inflection::er},
     {"est", "e", Inflection::est}},
    {},
}};

constexpr std::array<std::string_view, 4> kPosNames = {"noun", "verb", "adj", "adv"};

}  // namespace

WordNet WordNet::load(const fs::path& dir) {
  WordNet wn;
  for (const auto name : kPosNames) {
    Pos pos;
    const auto index_file = dir / fmt::format("index.{}", name);
    pos.data_file = dir / fmt::format("data.{}", name);
    if (!fs::is_regular_file(index_file) || !fs::is_regular_file(pos.data_file))
      fail<DataError>("WordNet: {} or {} not found (Debian package wordnet-base)",
                      index_file.string(), pos.data_file.string());
    const std::string index = read_text(index_file);
    pos.data = read_text(pos.data_file);
    std::size_t at = 0, line_no = 0;
    while (at < index.size()) {
      auto end = index.find('\n', at);
      if (end == std::string::npos) end = index.size();
      const std::string_view line(index.data() + at, end - at);
      at = end + 1;
      ++line_no;
      if (line.empty() || line.front() == ' ') continue;  // the licence header
      // lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
      const auto f = split_spaces(line);
      std::size_t synsets = 0, pointers = 0;
      const auto bad = [&] {
        fail<DataError>("{}: line {} is not a WordNet index line", index_file.string(), line_no);
      };
      if (f.size() < 4 || !parse_number(f[2], synsets) || !parse_number(f[3], pointers)) bad();
      const std::size_t first = 4 + pointers + 2;
      if (f.size() != first + synsets) bad();
      std::vector<std::size_t> offsets(synsets);
      for (std::size_t i = 0; i < synsets; ++i)
        if (!parse_number(f[first + i], offsets[i]) || offsets[i] >= pos.data.size()) bad();
      pos.index.emplace(std::string(f[0]), std::move(offsets));
    }
    wn.pos_.push_back(std::move(pos));
  }
  return wn;
}

std::vector<std::string> WordNet::synset_lemmas(const Pos& pos, std::size_t offset) const {
  // synset_offset lex_filenum ss_type w_cnt(2 hex digits) word lex_id [word lex_id...] ...
  auto end = pos.data.find('\n', offset);
  if (end == std::string::npos) end = pos.data.size();
  const auto f = split_spaces(std::string_view(pos.data).substr(offset, end - offset));
  std::size_t own = 0, words = 0;
  if (f.size() < 4 || !parse_number(f[0], own) || own != offset || !parse_number(f[3], words, 16) ||
      f.size() < 4 + 2 * words)
    fail<DataError>("{}: no synset at byte offset {}", pos.data_file.string(), offset);
  std::vector<std::string> lemmas;
  for (std::size_t i = 0; i < words; ++i) {
    auto w = f[4 + 2 * i];
    if (const auto paren = w.find('('); paren != std::string_view::npos)
      w = w.substr(0, paren);  // adjective markers: "(a)", "(p)", "(ip)"
    lemmas.push_back(lower(w));
  }
  return lemmas;
}

std::vector<std::string> WordNet::synonyms(std::string_view word_in, bool morphology) const {
  const std::string word = lower(word_in);
  // Each source: the synsets of one part of speech for the word itself or for one base form.
  struct Source {
    const Pos* pos;
    const std::vector<std::size_t>* offsets;
    Inflection inflection;
  };
  std::vector<Source> sources;
  for (const auto& p : pos_)
    if (const auto it = p.index.find(word); it != p.index.end())
      sources.push_back({&p, &it->second, Inflection::none});
  if (morphology)
    for (std::size_t i = 0; i < pos_.size(); ++i) {
      if (pos_[i].index.contains(word)) continue;
      std::unordered_set<std::string> bases;
      for (const auto& r : kRules[i]) {
        if (!word.ends_with(r.suffix) || word.size() <= r.suffix.size()) continue;
        const auto base = word.substr(0, word.size() - r.suffix.size()) + std::string(r.ending);
        const auto it = pos_[i].index.find(base);
        if (it != pos_[i].index.end() && bases.insert(base).second)
          sources.push_back({&pos_[i], &it->second, r.inflection});
      }
    }
  std::vector<std::string> out;
  std::unordered_set<std::string> seen{word};
  for (std::size_t rank = 0;; ++rank) {
    bool any = false;
    for (const auto& s : sources) {
      if (rank >= s.offsets->size()) continue;
      any = true;
      for (const auto& lemma : synset_lemmas(*s.pos, (*s.offsets)[rank])) {
        if (lemma.find('_') != std::string::npos) continue;  // multi-word lemma
        auto w = inflect(lemma, s.inflection);
        if (seen.insert(w).second) out.push_back(std::move(w));
      }
    }
    if (!any) break;
  }
  return out;
}

SynonymTable wordnet_synonyms(const Vocabulary& vocab, const WordNetOptions& opt) {
  const WordNet wn = WordNet::load(opt.dir);
  const auto& tokens = vocab.tokens();
  std::vector<std::vector<std::int64_t>> lists(tokens.size());
  for (std::size_t id = 2; id < tokens.size(); ++id)
    lists[id] = in_vocabulary(vocab, wn.synonyms(tokens[id], opt.morphology),
                              static_cast<std::int64_t>(id), opt.k);
  return SynonymTable(std::move(lists));
}

// ---------------------------------------------------------------- embeddings

namespace {

// Squared distances below `limit` from row i to every other row, nearest first (ties: lower id),
// at most k. Stops summing a pair once it passes the limit (the sum only grows): for unit-length
// vectors and the usual 0.5 threshold, most pairs are dropped after the first 32 dimensions.
// Eight independent partial sums let the compiler vectorise without reordering a float sum.
void nearest_rows(const std::vector<float>& m, std::size_t n, std::size_t d, std::size_t i,
                  float limit, std::size_t k, std::vector<std::pair<float, std::size_t>>& out) {
  constexpr std::size_t kLanes = 8, kBlock = 32;
  out.clear();
  const float* a = m.data() + i * d;
  for (std::size_t j = 0; j < n; ++j) {
    if (j == i) continue;
    const float* b = m.data() + j * d;
    float sum = 0;
    std::size_t t = 0;
    while (t < d && sum < limit) {
      const std::size_t e = std::min(d, t + kBlock);
      std::array<float, kLanes> acc{};
      for (; t + kLanes <= e; t += kLanes)
        for (std::size_t l = 0; l < kLanes; ++l) {
          const float diff = a[t + l] - b[t + l];
          acc[l] += diff * diff;
        }
      for (; t < e; ++t) {
        const float diff = a[t] - b[t];
        acc[0] += diff * diff;
      }
      for (const float x : acc) sum += x;
    }
    if (sum < limit) out.emplace_back(sum, j);
  }
  const auto keep = std::min(k, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(keep), out.end());
  out.resize(keep);
}

}  // namespace

SynonymTable embedding_neighbours(const Vocabulary& vocab, const EmbeddingOptions& opt) {
  if (opt.max_distance <= 0) fail<UsageError>("embedding neighbours: max distance must be > 0");
  const auto start = std::chrono::steady_clock::now();
  const auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const std::string text = read_text(opt.file);  // an Error naming the file if unreadable
  const auto& tokens = vocab.tokens();
  std::vector<std::int64_t> row_of(tokens.size(), -1);  // vocabulary id -> matrix row
  std::vector<std::int64_t> id_of;                      // matrix row -> vocabulary id
  std::vector<float> m;
  std::size_t dim = 0, at = 0, line_no = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + at, end - at);
    at = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(' ') == std::string_view::npos) continue;
    const auto f = split_spaces(line);
    if (line_no == 1 && f.size() == 2) {  // word2vec text header "count dim"
      std::size_t a = 0, b = 0;
      if (parse_number(f[0], a) && parse_number(f[1], b)) continue;
    }
    if (f.size() < 2)
      fail<DataError>("{}: line {}: expected a word and its vector, found '{}'", opt.file.string(),
                      line_no, line.substr(0, 60));
    if (dim == 0) dim = f.size() - 1;
    if (f.size() - 1 != dim)
      fail<DataError>("{}: line {}: {} values for '{}', but the file's vectors have {}",
                      opt.file.string(), line_no, f.size() - 1, f[0], dim);
    const auto id = vocab.id(f[0]);
    if (id <= Vocabulary::kUnk || row_of[static_cast<std::size_t>(id)] >= 0) continue;
    for (std::size_t t = 1; t < f.size(); ++t) {
      float v = 0;
      if (!parse_number(f[t], v) || !std::isfinite(v))
        fail<DataError>("{}: line {}: value {} of '{}' ('{}') is not a finite number",
                        opt.file.string(), line_no, t, f[0], f[t]);
      m.push_back(v);
    }
    row_of[static_cast<std::size_t>(id)] = static_cast<std::int64_t>(id_of.size());
    id_of.push_back(id);
  }
  if (dim == 0) fail<DataError>("{}: no word vectors in the file", opt.file.string());

  const std::size_t n = id_of.size();
  const double read_s = seconds();
  const auto limit = static_cast<float>(opt.max_distance * opt.max_distance);
  std::vector<std::vector<std::int64_t>> lists(tokens.size());
  const unsigned threads =
      std::max(1u, opt.threads ? opt.threads : std::thread::hardware_concurrency());
  const auto work = [&](std::size_t first) {
    std::vector<std::pair<float, std::size_t>> near;
    for (std::size_t i = first; i < n; i += threads) {
      nearest_rows(m, n, dim, i, limit, opt.k, near);
      auto& l = lists[static_cast<std::size_t>(id_of[i])];
      for (const auto& [d2, j] : near) l.push_back(id_of[j]);
    }
  };
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
  }
  spdlog::info(
      "{}: {} lines, {} vectors of dimension {} in the vocabulary (read in {:.2f} s); "
      "neighbours < {} in {:.2f} s on {} threads",
      opt.file.string(), line_no, n, dim, read_s, opt.max_distance, seconds() - read_s, threads);
  return SynonymTable(std::move(lists));
}

}  // namespace convbench
