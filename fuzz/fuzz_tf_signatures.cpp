// read_signatures on arbitrary bytes as a SavedModel's MetaGraphDef (the protobuf wire reader),
// then what the TensorFlow worker sends on: keys and names as JSON.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "fuzz_util.hpp"
#include "runtime/tf/signatures.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  try {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [key, sig] : read_signatures(fuzz::as_chars(data, size)))
      for (const auto* side : {&sig.inputs, &sig.outputs})
        for (const auto& [arg, t] : *side)
          j[key].push_back({{"name", arg}, {"tensor", t.tensor}, {"shape", t.shape}});
    (void)j.dump();
  } catch (const DataError&) {
  }
  return 0;
}
