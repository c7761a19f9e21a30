// load_imdb from an archive holding aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt (the input,
// as aclImdb_v1.tar.gz), then the text pipeline on what it read: a vocabulary built from the
// training reviews, every test review tokenized and encoded.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/imdb.hpp"
#include "data/vocabulary.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  const auto dir = fuzz::scratch_dir();
  fuzz::write_bytes(dir / "aclImdb_v1.tar.gz", std::span(data, size));
  try {
    const Split both[] = {Split::train, Split::test};
    const ImdbSplits s = load_imdb(dir, both);
    std::vector<std::string> texts;
    for (const auto& r : s.train) texts.push_back(r.text);
    const Vocabulary v = Vocabulary::build(texts, 50);
    for (const auto& r : s.test)
      if (v.encode(r.text, 16).size() != 16) __builtin_trap();
  } catch (const DataError&) {
  }
  return 0;
}
