// Vocabulary::load on the input as a vocabulary file, then encoding a text with it.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.hpp"
#include "data/vocabulary.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  const auto file = fuzz::scratch_dir() / "vocab.txt";
  fuzz::write_bytes(file, std::span(data, size));
  try {
    const Vocabulary v = Vocabulary::load(file);
    const auto ids = v.encode("A film<br />that isn't bad, it's <BR/>the best film.", 8);
    for (auto id : ids)
      if (id < 0 || static_cast<std::size_t>(id) >= v.size()) __builtin_trap();
  } catch (const DataError&) {
  }
  return 0;
}
