#include "check/onnx_precision.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/file_io.hpp"
#include "core/protobuf_wire.hpp"

namespace convbench {
namespace {

// onnx.proto TensorProto.DataType
constexpr std::uint64_t kFloat = 1, kUint8 = 2, kInt8 = 3, kFloat16 = 10, kBfloat16 = 16;

bool is_quantisation_op(std::string_view op) {
  return op == "QuantizeLinear" || op == "DequantizeLinear" || op == "DynamicQuantizeLinear" ||
         op.starts_with("QLinear") || op == "ConvInteger" || op == "MatMulInteger";
}

// A ValueInfoProto's elem_type (type = 2 -> TypeProto.tensor_type = 1 -> elem_type = 1).
std::uint64_t elem_type(std::string_view value_info, const std::string& what) {
  WireReader v(value_info, what);
  WireField f;
  while (v.next(f))
    if (f.number == 2 && f.wire_type == 2) {
      WireReader t(f.bytes, what);
      WireField g;
      while (t.next(g))
        if (g.number == 1 && g.wire_type == 2) {
          WireReader tt(g.bytes, what);
          WireField h;
          while (tt.next(h))
            if (h.number == 1 && h.wire_type == 0) return h.varint;
        }
    }
  return 0;
}

}  // namespace

std::string OnnxPrecision::describe() const {
  const std::int64_t floats = float32_weights + float16_weights + bfloat16_weights;
  std::string quant;
  if (!quantisation_ops.empty() || int8_weights > 0)
    quant =
        fmt::format("int8 quantised ({} int8/uint8 weight tensors{}{})", int8_weights,
                    quantisation_ops.empty() ? "" : "; ops ", fmt::join(quantisation_ops, ", "));
  std::string half;
  if (float16_weights + bfloat16_weights > 0 || float16_io) {
    const char* kind = bfloat16_weights > float16_weights ? "bf16" : "fp16";
    half =
        fmt::format("{}{} ({} of {} floating-point weight tensors {}{})",
                    float32_weights > 0 ? "mixed " : "", kind, float16_weights + bfloat16_weights,
                    floats, bfloat16_weights > float16_weights ? "bfloat16" : "float16",
                    float16_io ? "; float16 inputs/outputs" : "");
  }
  if (!quant.empty() && !half.empty()) return half + "; " + quant;
  return quant.empty() ? half : quant;
}

OnnxPrecision onnx_precision(std::string_view model_proto, const std::string& what) {
  OnnxPrecision p;
  WireReader m(model_proto, what);
  WireField f;
  while (m.next(f)) {
    if (f.number != 7 || f.wire_type != 2) continue;  // ModelProto.graph
    WireReader g(f.bytes, what);
    WireField e;
    while (g.next(e)) {
      if (e.wire_type != 2) continue;
      if (e.number == 1) {  // node: NodeProto.op_type = 4
        WireReader n(e.bytes, what);
        WireField k;
        while (n.next(k))
          if (k.number == 4 && k.wire_type == 2 && is_quantisation_op(k.bytes))
            p.quantisation_ops.insert(std::string(k.bytes));
      } else if (e.number == 5) {  // initializer: TensorProto.data_type = 2
        WireReader t(e.bytes, what);
        WireField k;
        while (t.next(k))
          if (k.number == 2 && k.wire_type == 0) {
            p.float32_weights += k.varint == kFloat;
            p.float16_weights += k.varint == kFloat16;
            p.bfloat16_weights += k.varint == kBfloat16;
            p.int8_weights += k.varint == kInt8 || k.varint == kUint8;
          }
      } else if (e.number == 11 || e.number == 12) {  // graph input / output
        p.float16_io = p.float16_io || elem_type(e.bytes, what) == kFloat16;
      }
    }
  }
  return p;
}

OnnxPrecision read_onnx_precision(const std::filesystem::path& model) {
  const Bytes b = read_file(model);
  return onnx_precision({reinterpret_cast<const char*>(b.data()), b.size()}, model.string());
}

}  // namespace convbench
