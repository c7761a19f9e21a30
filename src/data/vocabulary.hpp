#pragma once
// Word -> id mapping for text models. Ids 0 and 1 are reserved: 0 = "<pad>" (padding),
// 1 = "<unk>" (a word not in the vocabulary); words follow from id 2, most frequent first.
// Saved as a text file, one token per line, line i (from 0) holding the token of id i.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace convbench {

class Vocabulary {
 public:
  static constexpr std::int64_t kPad = 0, kUnk = 1;
  static constexpr std::string_view kPadToken = "<pad>", kUnkToken = "<unk>";

  // The `max_words` most frequent tokens of `texts` (tokenizer.hpp), ties broken by byte-wise
  // ascending order of the word; build it from the training split only.
  static Vocabulary build(std::span<const std::string> texts, std::size_t max_words);
  // DataError naming the file (and line) if it is not a file `save` writes.
  static Vocabulary load(const std::filesystem::path& file);
  void save(const std::filesystem::path& file) const;

  // Number of ids, reserved ones included (max_words + 2 for a full vocabulary).
  std::size_t size() const { return tokens_.size(); }
  const std::vector<std::string>& tokens() const { return tokens_; }
  std::int64_t id(std::string_view word) const;  // kUnk when unknown

  // What encoding saw: all tokens of the text (before truncation), and how many were unknown.
  struct EncodeStats {
    std::size_t tokens = 0, unknown = 0;
  };
  // Token ids of `text`, exactly `seq_len` of them. Keras' pad_sequences default: a longer text
  // keeps its LAST seq_len tokens, a shorter one is padded with kPad at the FRONT. A recurrent
  // model then ends on real tokens without needing a mask (masks are a weak spot of converters),
  // and reviews often put their verdict last. Unknown words become kUnk. `stats`, if given, is
  // added to (so one can sum over many texts).
  std::vector<std::int64_t> encode(std::string_view text, std::size_t seq_len,
                                   EncodeStats* stats = nullptr) const;

 private:
  explicit Vocabulary(std::vector<std::string> tokens);
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, std::int64_t> ids_;
};

}  // namespace convbench
