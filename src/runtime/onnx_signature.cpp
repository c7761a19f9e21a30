#include "runtime/onnx_signature.hpp"

#include <fstream>
#include <iterator>
#include <set>

#include "core/protobuf_wire.hpp"

namespace convbench {
namespace {

// TensorProto.DataType -> ours; nullopt for string, bfloat16, complex, float8 ...
std::optional<DType> onnx_elem(std::uint64_t t) {
  switch (t) {
    case 1:
      return DType::f32;
    case 2:
      return DType::u8;
    case 3:
      return DType::i8;
    case 4:
      return DType::u16;
    case 5:
      return DType::i16;
    case 6:
      return DType::i32;
    case 7:
      return DType::i64;
    case 9:
      return DType::boolean;
    case 10:
      return DType::f16;
    case 11:
      return DType::f64;
    case 12:
      return DType::u32;
    case 13:
      return DType::u64;
    default:
      return std::nullopt;
  }
}

// ValueInfoProto {name = 1, type = 2 (TypeProto: tensor_type = 1 {elem_type = 1, shape = 2
// (TensorShapeProto: dim = 1 {dim_value = 1, dim_param = 2})})}.
TensorInfo value_info(std::string_view bytes, const std::string& what) {
  TensorInfo t;
  t.shape_known = false;
  WireReader r(bytes, what);
  WireField f;
  while (r.next(f)) {
    if (f.number == 1 && f.wire_type == 2)
      t.name = wire_string(f, what, "a graph input or output name");
    if (f.number != 2 || f.wire_type != 2) continue;
    WireReader tr(f.bytes, what);
    WireField g;
    while (tr.next(g)) {
      if (g.number != 1 || g.wire_type != 2) continue;  // only tensor types
      WireReader tt(g.bytes, what);
      WireField h;
      while (tt.next(h)) {
        if (h.number == 1 && h.wire_type == 0) t.dtype = onnx_elem(h.varint);
        if (h.number != 2 || h.wire_type != 2) continue;
        t.shape_known = true;
        WireReader sr(h.bytes, what);
        WireField d;
        while (sr.next(d)) {
          if (d.number != 1 || d.wire_type != 2) continue;
          std::int64_t size = -1;
          WireReader dr(d.bytes, what);
          WireField e;
          while (dr.next(e))
            if (e.number == 1 && e.wire_type == 0) size = static_cast<std::int64_t>(e.varint);
          t.shape.push_back(size);
        }
      }
    }
  }
  return t;
}

}  // namespace

ModelSignature onnx_signature(std::string_view model_proto, const std::string& what) {
  ModelSignature sig;
  WireReader m(model_proto, what);
  WireField f;
  while (m.next(f)) {
    if (f.number != 7 || f.wire_type != 2) continue;  // ModelProto.graph
    std::set<std::string> initializers;
    std::vector<TensorInfo> inputs;
    WireReader g(f.bytes, what);
    WireField e;
    while (g.next(e)) {
      if (e.wire_type != 2) continue;
      if (e.number == 5) {  // initializer: TensorProto.name = 8
        WireReader t(e.bytes, what);
        WireField n;
        while (t.next(n))
          if (n.number == 8 && n.wire_type == 2) initializers.insert(std::string(n.bytes));
      } else if (e.number == 11) {
        inputs.push_back(value_info(e.bytes, what));
      } else if (e.number == 12) {
        sig.outputs.push_back(value_info(e.bytes, what));
      }
    }
    // Before IR version 4 initializers were listed among the inputs too; they are not inputs.
    for (auto& i : inputs)
      if (!initializers.count(i.name)) sig.inputs.push_back(std::move(i));
  }
  return sig;
}

ModelSignature read_onnx_signature(const std::filesystem::path& model) {
  std::ifstream in(model, std::ios::binary);
  if (!in) fail<DataError>("{}: cannot open", model.string());
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return onnx_signature(bytes, model.string());
}

}  // namespace convbench
