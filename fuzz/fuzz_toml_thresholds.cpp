// read_thresholds (`convbench check --config`) on the input as the TOML file.
#include <cstddef>
#include <cstdint>
#include <span>

#include "check/thresholds.hpp"
#include "core/error.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  const auto file = fuzz::scratch_dir() / "thresholds.toml";
  fuzz::write_bytes(file, std::span(data, size));
  try {
    Thresholds t;
    read_thresholds(file, t);
  } catch (const UsageError&) {
  }
  return 0;
}
