#include "runtime/tf/signatures.hpp"

#include "core/error.hpp"
#include "core/protobuf_wire.hpp"

namespace convbench {
namespace {

const std::string kWhat = "MetaGraphDef";

// A map<string, M> entry: key = field 1, value = field 2.
std::pair<std::string, std::string_view> map_entry(std::string_view entry, std::string_view key) {
  WireReader r(entry, kWhat);
  WireField f;
  std::pair<std::string, std::string_view> out;
  while (r.next(f)) {
    if (f.number == 1 && f.wire_type == 2) out.first = wire_string(f, kWhat, key);
    if (f.number == 2 && f.wire_type == 2) out.second = f.bytes;
  }
  return out;
}

// TensorShapeProto: dim = 2 (Dim: size = 1), unknown_rank = 3.
void read_shape(std::string_view bytes, SignatureTensor& t) {
  WireReader r(bytes, kWhat);
  WireField f;
  t.shape_known = true;
  while (r.next(f)) {
    if (f.number == 2 && f.wire_type == 2) {
      WireReader d(f.bytes, kWhat);
      WireField g;
      std::int64_t size = -1;
      while (d.next(g))
        if (g.number == 1) size = static_cast<std::int64_t>(wire_varint_or_fail(g, kWhat));
      t.shape.push_back(size);
    } else if (f.number == 3 && f.wire_type == 0 && f.varint != 0) {
      t.shape_known = false;
    }
  }
  if (!t.shape_known) t.shape.clear();
}

// map<string, TensorInfo> entry -> argument name -> TensorInfo {name = 1, dtype = 2, shape = 3}.
void tensor_infos(std::string_view entry, std::map<std::string, SignatureTensor>& into) {
  const auto [arg, info] = map_entry(entry, "a signature argument name");
  WireReader r(info, kWhat);
  WireField f;
  SignatureTensor t;
  while (r.next(f)) {
    if (f.number == 1 && f.wire_type == 2) t.tensor = wire_string(f, kWhat, "a graph tensor name");
    if (f.number == 2 && f.wire_type == 0) t.dtype = static_cast<int>(f.varint);
    if (f.number == 3 && f.wire_type == 2) read_shape(f.bytes, t);
  }
  into[arg] = t;
}

}  // namespace

std::map<std::string, Signature> read_signatures(std::string_view meta_graph_def) {
  std::map<std::string, Signature> out;
  WireReader r(meta_graph_def, kWhat);
  WireField f;
  while (r.next(f)) {
    if (f.number != 5 || f.wire_type != 2) continue;  // MetaGraphDef.signature_def
    const auto [key, def] = map_entry(f.bytes, "a signature key");
    Signature& sig = out[key];
    WireReader d(def, kWhat);
    WireField g;
    while (d.next(g)) {
      if (g.number == 1 && g.wire_type == 2)
        tensor_infos(g.bytes, sig.inputs);  // SignatureDef.inputs
      if (g.number == 2 && g.wire_type == 2)
        tensor_infos(g.bytes, sig.outputs);  // SignatureDef.outputs
    }
  }
  return out;
}

}  // namespace convbench
