// parse_idx on arbitrary bytes (read_idx = read_file + parse_idx; fuzz_mnist covers the file path).
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.hpp"
#include "data/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto a = convbench::parse_idx(std::span(data, size), "fuzz.idx");
    // What a valid result promises: the data is the product of the dimensions, which does not
    // wrap (a wrapped product of 0 matched an empty file).
    std::size_t n = 1;
    for (auto d : a.dims)
      if (__builtin_mul_overflow(n, std::size_t{d}, &n)) __builtin_trap();
    if (n != a.data.size()) __builtin_trap();
  } catch (const convbench::DataError&) {
  }
  return 0;
}
