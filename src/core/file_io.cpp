#include "core/file_io.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "core/error.hpp"

namespace convbench {
namespace fs = std::filesystem;

namespace {

Bytes read_raw(const fs::path& path) {
  // A directory opens as a stream too, and its "size" (2^63-1 on ext4, -1 on tmpfs) would become
  // the allocation: only regular files are read.
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))
    fail<DataError>("{}: not a regular file", path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) fail<DataError>("{}: cannot open file", path.string());
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  if (end < 0) fail<DataError>("{}: cannot tell the file's size", path.string());
  const auto size = static_cast<std::size_t>(end);
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

void write_file_parts(const fs::path& path, std::span<const std::string_view> parts) {
  // Written beside the target and renamed into place: an interrupted run never leaves a half
  // file under the real name, and every step's failure names the path.
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      fail("{}: cannot create the directory {}: {}", path.string(), path.parent_path().string(),
           ec.message());
  }
  if (fs::is_directory(path, ec))
    fail("{}: is a directory, cannot write a file there", path.string());
  const fs::path tmp = path.string() + fmt::format(".tmp{}", ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("{}: cannot write: {}", path.string(), std::strerror(errno));
  const auto abandon = [&](std::string_view step, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    fail("{}: {} failed: {}", path.string(), step, std::strerror(err));
  };
  for (std::string_view part : parts) {
    while (!part.empty()) {
      const ssize_t n = ::write(fd, part.data(), part.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) abandon("write", n < 0 ? errno : ENOSPC);
      part.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  if (::fsync(fd) != 0 && errno != EINVAL) abandon("fsync", errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail("{}: close failed: {}", path.string(), std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail("{}: cannot move the written file into place: {}", path.string(), std::strerror(err));
  }
}

void write_file(const fs::path& path, const void* data, std::size_t size) {
  const std::string_view part(static_cast<const char*>(data), size);
  write_file_parts(path, std::span(&part, 1));
}

void write_text(const fs::path& path, std::string_view text) {
  write_file_parts(path, std::span(&text, 1));
}

namespace {
struct Sha256 {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
  Sha256() { EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr); }
  void add(const void* p, std::size_t n) { EVP_DigestUpdate(ctx.get(), p, n); }
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), md.data(), &len);
    std::string out;
    for (unsigned i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
    return out;
  }
};
}  // namespace

std::string sha256_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail<DataError>("{}: cannot open file", path.string());
  Sha256 h;
  std::array<char, 1 << 16> buf{};
  while (in) {
    in.read(buf.data(), buf.size());
    h.add(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  return h.hex();
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.add(bytes.data(), bytes.size());
  return h.hex();
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
