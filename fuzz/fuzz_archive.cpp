// ArchiveReader (libarchive: tar, tar.gz, tar.xz, zip, ...) over arbitrary bytes: every entry
// visited and read, as load_cifar10, load_imdb and the .npz reader do.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.hpp"
#include "data/archive.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  const auto file = fuzz::scratch_dir() / "fuzz.tar.gz";
  fuzz::write_bytes(file, std::span(data, size));
  try {
    ArchiveReader ar(file);
    // Every other entry is skipped unread, as the loaders skip the files they do not want.
    for (std::size_t i = 0; ar.next(); ++i)
      if (i % 2 == 0) (void)ar.read();
  } catch (const DataError&) {
  }
  return 0;
}
