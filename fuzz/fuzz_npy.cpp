// parse_npy on arbitrary bytes, then what consumers do with a Value: float32 and float64 views
// and an exact cast to int64 (token ids, labels).
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "core/npy.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  try {
    const Value v = parse_npy(fuzz::as_chars(data, size), "fuzz.npy", "x");
    if (to_f64(v).size() != v.elements()) __builtin_trap();
    (void)to_f32(v);
    (void)describe(v);
    (void)cast_exact(v, DType::i64);
  } catch (const DataError&) {
  }
  return 0;
}
