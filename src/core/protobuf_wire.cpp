#include "core/protobuf_wire.hpp"

#include "core/error.hpp"

namespace convbench {

bool WireReader::next(WireField& f) {
  if (pos_ >= s_.size()) return false;
  const std::uint64_t key = varint();
  if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff)
    fail<DataError>("{}: bad protobuf field number", what_);
  f = {};
  f.number = static_cast<std::uint32_t>(key >> 3);
  f.wire_type = static_cast<int>(key & 7);
  switch (f.wire_type) {
    case 0:
      f.varint = varint();
      break;
    case 1:
      skip(8);
      break;
    case 5:
      skip(4);
      break;
    case 2: {
      const std::uint64_t n = varint();
      if (n > s_.size() - pos_) fail<DataError>("{}: a protobuf field runs past the end", what_);
      f.bytes = s_.substr(pos_, n);
      pos_ += n;
      break;
    }
    default:
      fail<DataError>("{}: unsupported protobuf wire type {}", what_, f.wire_type);
  }
  return true;
}

std::uint64_t WireReader::varint() {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= s_.size()) fail<DataError>("{}: truncated protobuf varint", what_);
    const auto b = static_cast<std::uint8_t>(s_[pos_++]);
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  fail<DataError>("{}: protobuf varint too long", what_);
}

void WireReader::skip(std::size_t n) {
  if (n > s_.size() - pos_) fail<DataError>("{}: truncated protobuf field", what_);
  pos_ += n;
}

std::uint64_t wire_varint_or_fail(const WireField& f, const std::string& what) {
  if (f.wire_type != 0) fail<DataError>("{}: field {} is not a varint", what, f.number);
  return f.varint;
}

}  // namespace convbench
