// load_mnist over an images file and a labels file cut from one input (a big-endian u16 first:
// the images file's length), raw or gzipped (read_file's gunzip), then the one conversion to model
// input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.hpp"
#include "data/mnist.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  if (size < 2) return 0;
  const std::span<const std::uint8_t> in(data + 2, size - 2);
  const std::size_t cut = std::min<std::size_t>((std::size_t{data[0]} << 8) | data[1], in.size());
  const auto& dir = fuzz::scratch_dir();
  fuzz::write_bytes(dir / "t10k-images-idx3-ubyte", in.first(cut));
  fuzz::write_bytes(dir / "t10k-labels-idx1-ubyte", in.subspan(cut));
  try {
    const LabelledImages im = load_mnist(dir, Split::test);
    const Tensor t = to_tensor(im, Layout::NHWC);
    if (t.data.size() != im.pixels.size()) __builtin_trap();
  } catch (const DataError&) {
  }
  return 0;
}
