#pragma once
// A reader of the protobuf wire format, for the few fields convbench needs from files whose
// .proto it does not compile (a SavedModel's MetaGraphDef, an ONNX ModelProto's graph inputs and
// outputs): fields come one by one, everything else is skipped by length. Malformed or truncated
// bytes are a DataError naming `what`; nothing is read past the end.
#include <cstdint>
#include <string>
#include <string_view>

namespace convbench {

struct WireField {
  std::uint32_t number = 0;
  int wire_type = 0;         // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  std::uint64_t varint = 0;  // wire type 0
  std::string_view bytes;    // wire type 2 (a string, bytes or a nested message)
};

class WireReader {
 public:
  WireReader(std::string_view bytes, std::string what) : s_(bytes), what_(std::move(what)) {}
  // The next field, or false at the end of the message.
  bool next(WireField& f);
  const std::string& what() const { return what_; }

 private:
  std::uint64_t varint();
  void skip(std::size_t n);

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string what_;
};

// A packed or unpacked repeated varint field's values (int64 dims, ...).
std::uint64_t wire_varint_or_fail(const WireField& f, const std::string& what);

// A string field's text. Protobuf strings are UTF-8, and the names read from them travel on as
// JSON (the worker protocol), which cannot carry anything else: DataError naming `what` and
// `field` ("a graph input's name") for a wire type other than length-delimited or bytes that are
// not UTF-8.
std::string wire_string(const WireField& f, const std::string& what, std::string_view field);

}  // namespace convbench
