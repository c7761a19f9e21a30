// read_manifest on a model directory whose manifest.json is the input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.hpp"
#include "eval/manifest.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  const auto& dir = fuzz::scratch_dir();
  fuzz::write_bytes(dir / "manifest.json", std::span(data, size));
  try {
    const Manifest m = read_manifest(dir);
    if (m.artefacts.empty() || m.artefacts.front().role != "original") __builtin_trap();
  } catch (const DataError&) {
  }
  return 0;
}
