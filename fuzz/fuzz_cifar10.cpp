// append_cifar10_records on arbitrary bytes, twice into one set (as the five training batches
// are), then the one conversion to model input with the CIFAR-10 standardisation.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.hpp"
#include "data/cifar10.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  const std::span<const std::uint8_t> in(data, size);
  LabelledImages im;
  try {
    append_cifar10_records(in, "fuzz_batch.bin", im);
    append_cifar10_records(in, "fuzz_batch.bin", im);
    const Tensor t = to_tensor(im, Layout::NCHW, cifar10_norm());
    if (t.data.size() != im.pixels.size() || im.labels.size() != static_cast<std::size_t>(im.count))
      __builtin_trap();
  } catch (const DataError&) {
  }
  return 0;
}
