// onnx_signature on arbitrary bytes as an ONNX ModelProto (the protobuf wire reader).
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz_util.hpp"
#include "runtime/onnx_signature.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto sig = convbench::onnx_signature(convbench::fuzz::as_chars(data, size), "fuzz.onnx");
    // The signature travels as JSON from the worker: it must serialise.
    (void)convbench::to_json(sig).dump();
  } catch (const convbench::DataError&) {
  }
  return 0;
}
