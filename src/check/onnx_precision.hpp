#pragma once
// What numeric precision an ONNX graph computes in, read from the graph itself: float16 weights
// (an fp16 conversion) and quantisation (int8/uint8 weights, QuantizeLinear/QLinear*/…Integer
// ops). `check` names it next to the error it costs, so an fp16 model's 1e-3 is not mistaken for
// a broken conversion, nor a broken conversion excused as "just fp16".
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>

namespace convbench {

struct OnnxPrecision {
  std::int64_t float32_weights = 0, float16_weights = 0, bfloat16_weights = 0, int8_weights = 0;
  std::set<std::string> quantisation_ops;  // QuantizeLinear, QLinearConv, MatMulInteger, ...
  bool float16_io = false;                 // a graph input or output is float16

  // "fp16 (...)", "int8 (...)", "mixed fp16/fp32 (...)"; empty for a float32 graph.
  std::string describe() const;
};

// DataError naming `what` for bytes that are not a ModelProto.
OnnxPrecision onnx_precision(std::string_view model_proto, const std::string& what);
OnnxPrecision read_onnx_precision(const std::filesystem::path& model);

}  // namespace convbench
