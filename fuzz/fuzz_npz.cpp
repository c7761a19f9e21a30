// `convbench check --inputs x.npz`: read_user_inputs on the input as an .npz (a zip of .npy, read
// with ArchiveReader and parse_npy; arrays named, labels split off).
#include <cstddef>
#include <cstdint>
#include <span>

#include "check/inputs.hpp"
#include "core/error.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  const auto file = fuzz::scratch_dir() / "fuzz.npz";
  fuzz::write_bytes(file, std::span(data, size));
  try {
    const UserInputs in = read_user_inputs(file);
    // What the reader promises: every array has samples, as many as there are labels.
    for (const auto& a : in.arrays)
      if (a.shape.empty() ||
          (!in.labels.empty() && a.shape[0] != static_cast<std::int64_t>(in.labels.size())))
        __builtin_trap();
  } catch (const DataError&) {
  } catch (const UsageError&) {
  }
  return 0;
}
