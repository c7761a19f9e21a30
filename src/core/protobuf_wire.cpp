#include "core/protobuf_wire.hpp"

#include "core/error.hpp"

namespace convbench {
namespace {

// Well-formed UTF-8 as RFC 3629 has it (no overlong forms, no surrogates, nothing past U+10FFFF):
// what nlohmann::json accepts when it serialises a string.
bool is_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // the allowed range of the first continuation byte
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) {
      n = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b == 0xe0) lo = 0xa0;
      if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b == 0xf0) lo = 0x90;
      if (b == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xbf)) return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace

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

std::string wire_string(const WireField& f, const std::string& what, std::string_view field) {
  if (f.wire_type != 2)
    fail<DataError>("{}: {} is not a string (wire type {})", what, field, f.wire_type);
  if (!is_utf8(f.bytes)) fail<DataError>("{}: {} is not UTF-8 text", what, field);
  return std::string(f.bytes);
}

}  // namespace convbench
