#include "data/vocabulary.hpp"

#include <algorithm>
#include <fstream>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/tokenizer.hpp"

namespace convbench {
namespace fs = std::filesystem;

Vocabulary::Vocabulary(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {
  ids_.reserve(tokens_.size());
  for (std::size_t i = 0; i < tokens_.size(); ++i)
    ids_.emplace(tokens_[i], static_cast<std::int64_t>(i));
}

Vocabulary Vocabulary::build(std::span<const std::string> texts, std::size_t max_words) {
  std::unordered_map<std::string, std::int64_t> counts;
  for (const auto& text : texts)
    for_each_token(text, [&](std::string_view t) { ++counts[std::string(t)]; });
  std::vector<std::pair<std::string, std::int64_t>> words(counts.begin(), counts.end());
  const auto by_rank = [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  const std::size_t keep = std::min(max_words, words.size());
  std::partial_sort(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(keep), words.end(),
                    by_rank);
  std::vector<std::string> tokens{std::string(kPadToken), std::string(kUnkToken)};
  for (std::size_t i = 0; i < keep; ++i) tokens.push_back(std::move(words[i].first));
  return Vocabulary(std::move(tokens));
}

Vocabulary Vocabulary::load(const fs::path& file) {
  const Bytes b = read_file(file);
  const std::string_view text(reinterpret_cast<const char*>(b.data()), b.size());
  std::vector<std::string> tokens;
  std::unordered_map<std::string_view, std::size_t> seen;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view tok = text.substr(pos, end - pos);
    const std::size_t line = tokens.size() + 1;
    if (tok.empty())
      fail<DataError>("{}: line {} is empty (one token per line expected)", file.string(), line);
    for (char c : tok)
      if (c == ' ' || c == '\t' || c == '\r' || c == '\0')
        fail<DataError>("{}: line {} ('{}') contains whitespace; not a vocabulary file",
                        file.string(), line, tok);
    if (auto [it, fresh] = seen.emplace(tok, line); !fresh)
      fail<DataError>("{}: line {} repeats '{}' from line {}", file.string(), line, tok,
                      it->second);
    tokens.emplace_back(tok);
    pos = end + 1;
  }
  if (tokens.size() < 2 || tokens[0] != kPadToken || tokens[1] != kUnkToken)
    fail<DataError>("{}: a vocabulary starts with the lines '{}' and '{}' (ids 0 and 1)",
                    file.string(), kPadToken, kUnkToken);
  return Vocabulary(std::move(tokens));
}

void Vocabulary::save(const fs::path& file) const {
  std::string text;
  for (const auto& t : tokens_) (text += t) += '\n';
  write_file(file, text.data(), text.size());
}

std::int64_t Vocabulary::id(std::string_view word) const {
  const auto it = ids_.find(std::string(word));
  return it == ids_.end() ? kUnk : it->second;
}

std::vector<std::int64_t> Vocabulary::encode(std::string_view text, std::size_t seq_len,
                                             EncodeStats* stats) const {
  std::vector<std::int64_t> ids;
  for_each_token(text, [&](std::string_view t) { ids.push_back(id(t)); });
  if (stats) {
    stats->tokens += ids.size();
    stats->unknown += static_cast<std::size_t>(std::count(ids.begin(), ids.end(), kUnk));
  }
  if (ids.size() >= seq_len) {
    // Pre-truncation: keep the last seq_len ids.
    ids.erase(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(seq_len));
  } else {
    // Pre-padding: the ids end the row.
    ids.insert(ids.begin(), seq_len - ids.size(), kPad);
  }
  return ids;
}

}  // namespace convbench
