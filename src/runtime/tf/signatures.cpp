#include "runtime/tf/signatures.hpp"

#include <cstdint>

#include "core/error.hpp"

namespace convbench {
namespace {

// One protobuf message's fields, in order; only varint and length-delimited payloads matter here.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : s_(bytes) {}
  bool done() const { return pos_ >= s_.size(); }

  // The next field's number and, for length-delimited fields, its bytes (others are skipped).
  bool next(std::uint32_t& field, std::string_view& bytes) {
    while (!done()) {
      const std::uint64_t key = varint();
      field = static_cast<std::uint32_t>(key >> 3);
      switch (key & 7) {
        case 0:
          varint();
          break;
        case 1:
          skip(8);
          break;
        case 5:
          skip(4);
          break;
        case 2: {
          const std::uint64_t n = varint();
          if (n > s_.size() - pos_) fail("MetaGraphDef: a field runs past the end");
          bytes = s_.substr(pos_, n);
          pos_ += n;
          return true;
        }
        default:
          fail("MetaGraphDef: unsupported wire type {}", key & 7);
      }
    }
    return false;
  }

 private:
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (done()) fail("MetaGraphDef: truncated varint");
      const auto b = static_cast<std::uint8_t>(s_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    fail("MetaGraphDef: varint too long");
  }
  void skip(std::size_t n) {
    if (n > s_.size() - pos_) fail("MetaGraphDef: truncated field");
    pos_ += n;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// A map<string, M> entry: key = field 1, value = field 2.
std::pair<std::string, std::string_view> map_entry(std::string_view entry) {
  Reader r(entry);
  std::uint32_t f = 0;
  std::string_view b;
  std::pair<std::string, std::string_view> out;
  while (r.next(f, b)) {
    if (f == 1) out.first = std::string(b);
    if (f == 2) out.second = b;
  }
  return out;
}

// map<string, TensorInfo> -> argument name -> TensorInfo.name (field 1).
void tensor_names(std::string_view entry, std::map<std::string, std::string>& into) {
  const auto [arg, info] = map_entry(entry);
  Reader r(info);
  std::uint32_t f = 0;
  std::string_view b;
  while (r.next(f, b))
    if (f == 1) into[arg] = std::string(b);
}

}  // namespace

std::map<std::string, Signature> read_signatures(std::string_view meta_graph_def) {
  std::map<std::string, Signature> out;
  Reader r(meta_graph_def);
  std::uint32_t f = 0;
  std::string_view b;
  while (r.next(f, b)) {
    if (f != 5) continue;  // MetaGraphDef.signature_def
    const auto [key, def] = map_entry(b);
    Signature& sig = out[key];
    Reader d(def);
    std::uint32_t g = 0;
    std::string_view e;
    while (d.next(g, e)) {
      if (g == 1) tensor_names(e, sig.inputs);   // SignatureDef.inputs
      if (g == 2) tensor_names(e, sig.outputs);  // SignatureDef.outputs
    }
  }
  return out;
}

}  // namespace convbench
