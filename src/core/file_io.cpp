#include "core/file_io.hpp"

#include <openssl/evp.h>
#include <zlib.h>

#include <array>
#include <fstream>
#include <memory>

#include "core/error.hpp"

namespace convbench {
namespace fs = std::filesystem;

namespace {

Bytes read_raw(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail<DataError>("{}: cannot open file", path.string());
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  in.seekg(0);
  Bytes out(size);
  if (!in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(size)))
    fail<DataError>("{}: read error", path.string());
  return out;
}

Bytes gunzip(const Bytes& in, const fs::path& path) {
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) fail("{}: zlib init failed", path.string());
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&zs, inflateEnd);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  Bytes out;
  std::array<std::uint8_t, 1 << 16> buf{};
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = buf.data();
    zs.avail_out = buf.size();
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      if (rc == Z_BUF_ERROR && zs.avail_in == 0)
        fail<DataError>("{}: gzip stream is truncated (ends after {} compressed bytes)",
                        path.string(), in.size());
      fail<DataError>("{}: corrupt gzip data ({})", path.string(), zs.msg ? zs.msg : "zlib error");
    }
    out.insert(out.end(), buf.data(), buf.data() + (buf.size() - zs.avail_out));
  }
  return out;
}

}  // namespace

Bytes read_file(const fs::path& path) {
  Bytes raw = read_raw(path);
  if (raw.size() >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) return gunzip(raw, path);
  return raw;
}

void write_file(const fs::path& path, const void* data, std::size_t size) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail("{}: cannot open for writing", path.string());
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) fail("{}: write error", path.string());
}

std::string sha256_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail<DataError>("{}: cannot open file", path.string());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::array<char, 1 << 16> buf{};
  while (in) {
    in.read(buf.data(), buf.size());
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md.data(), &len);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

std::uintmax_t disk_size(const fs::path& path) {
  if (!fs::exists(path)) fail("{}: does not exist", path.string());
  if (!fs::is_directory(path)) return fs::file_size(path);
  std::uintmax_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(path))
    if (e.is_regular_file()) total += e.file_size();
  return total;
}

}  // namespace convbench
