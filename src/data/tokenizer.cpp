#include "data/tokenizer.hpp"

namespace convbench {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_word_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u >= 0x80;
}

// If text[i..] starts a line-break tag (<br>, <br/>, <br />, any case), its length; else 0.
std::size_t br_tag_length(std::string_view text, std::size_t i) {
  if (text.size() - i < 4 || text[i] != '<' || lower(text[i + 1]) != 'b' ||
      lower(text[i + 2]) != 'r')
    return 0;
  std::size_t j = i + 3;
  while (j < text.size() && text[j] == ' ') ++j;
  if (j < text.size() && text[j] == '/') ++j;
  return j < text.size() && text[j] == '>' ? j + 1 - i : 0;
}

}  // namespace

void for_each_token(std::string_view text, const std::function<void(std::string_view)>& emit) {
  // Rules 1 and 2 into a buffer, so that rule 3 sees only lowercase bytes and spaces for tags.
  std::string norm;
  norm.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (const std::size_t n = br_tag_length(text, i)) {
      norm += ' ';
      i += n;
    } else {
      norm += lower(text[i++]);
    }
  }
  const std::size_t n = norm.size();
  std::size_t i = 0;
  while (i < n) {
    while (i < n && !is_word_byte(norm[i])) ++i;
    if (i == n) break;
    const std::size_t begin = i;
    for (;;) {
      while (i < n && is_word_byte(norm[i])) ++i;
      // An apostrophe continues the word only when a word byte follows it.
      if (i + 1 < n && norm[i] == '\'' && is_word_byte(norm[i + 1]))
        ++i;
      else
        break;
    }
    emit(std::string_view(norm).substr(begin, i - begin));
  }
}

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  for_each_token(text, [&](std::string_view t) { tokens.emplace_back(t); });
  return tokens;
}

}  // namespace convbench
