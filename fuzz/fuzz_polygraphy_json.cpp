// `convbench check --inputs feeds.json`: read_user_inputs on the input as Polygraphy's inputs
// JSON (a list of feeds {name: {"array": base64 of .npy bytes}}).
#include <cstddef>
#include <cstdint>
#include <span>

#include "check/inputs.hpp"
#include "core/error.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  const auto file = fuzz::scratch_dir() / "feeds.json";
  fuzz::write_bytes(file, std::span(data, size));
  try {
    const UserInputs in = read_user_inputs(file);
    for (const auto& a : in.arrays)
      if (a.shape.empty()) __builtin_trap();
  } catch (const DataError&) {
  } catch (const UsageError&) {
  }
  return 0;
}
