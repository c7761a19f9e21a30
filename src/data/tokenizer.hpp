#pragma once
// The one tokenizer of text data: the vocabulary is built, and every review encoded, with it.
//
// Rules, in order (deterministic, byte-based, no locale):
//  1. HTML line breaks `<br />` (also `<br/>`, `<br>`, any case, spaces before the `/`) become a
//     space; IMDb reviews use them as paragraph breaks.
//  2. ASCII letters are lowercased; every other byte is kept as it is.
//  3. Word bytes are ASCII letters and digits and every byte >= 0x80 (so UTF-8 letters such as
//     "é" stay inside their word and a multi-byte character is never split). An apostrophe (')
//     is a word byte only between two word bytes ("don't", "rock'n'roll"); at a word's edge it
//     separates ("'quoted'" -> "quoted", "actors'" -> "actors"). Every other byte separates.
//  4. Tokens are the maximal runs of word bytes, in text order.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace convbench {

// Calls `emit` with each token in order; the views are valid only during the call.
void for_each_token(std::string_view text, const std::function<void(std::string_view)>& emit);

std::vector<std::string> tokenize(std::string_view text);

}  // namespace convbench
