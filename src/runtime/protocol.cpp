#include "runtime/protocol.hpp"

#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/error.hpp"

namespace convbench::protocol {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint32_t kMaxHeader = 1U << 24;

[[noreturn]] void broken(WorkerFailure kind, const std::string& what) {
  throw WorkerError(what, kind);
}

void write_all(int fd, const void* data, std::size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      broken(WorkerFailure::died, fmt::format("pipe write failed: {}", std::strerror(errno)));
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Reads exactly n bytes; returns the number read before EOF (n on success).
std::size_t read_all(int fd, void* data, std::size_t n, Clock::time_point deadline, bool forever) {
  auto* p = static_cast<char*>(data);
  std::size_t got = 0;
  while (got < n) {
    int wait_ms = -1;
    if (!forever) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) broken(WorkerFailure::hung, "no reply within the time limit (worker hung)");
      wait_ms = static_cast<int>(left);
    }
    pollfd pfd{fd, POLLIN, 0};
    const int pr = ::poll(&pfd, 1, wait_ms);
    if (pr < 0) {
      if (errno == EINTR) continue;
      broken(WorkerFailure::protocol, fmt::format("poll failed: {}", std::strerror(errno)));
    }
    if (pr == 0) continue;  // re-check the deadline
    const ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      broken(WorkerFailure::died, fmt::format("pipe read failed: {}", std::strerror(errno)));
    }
    if (r == 0) return got;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

nlohmann::json tensor_list(const Values& ts) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : ts)
    out.push_back({{"name", t.name}, {"dtype", dtype_name(t.dtype)}, {"shape", t.shape}});
  return out;
}

// A tensor a header announces: validated, not yet allocated.
struct Announced {
  std::string name;
  DType dtype;
  Shape shape;
  std::size_t bytes;
};

// A shape from JSON, refusing what int64 cannot hold: nlohmann's get<Shape>() casts a float
// such as 1e300 to int64, which is undefined behaviour.
Shape json_shape(const nlohmann::json& j) {
  if (!j.is_array()) broken(WorkerFailure::protocol, "malformed tensor shape " + j.dump());
  Shape s;
  for (const auto& d : j) {
    if (!d.is_number_integer())
      broken(WorkerFailure::protocol, "malformed tensor shape " + j.dump());
    s.push_back(d.get<std::int64_t>());
  }
  return s;
}

// The tensors a header announces, validated: their sizes (overflow-checked) must add up to the
// payload. Nothing is allocated here: the buffers grow as the payload arrives (read_payload), so a
// header announcing more than the peer sends cannot make this process allocate it.
std::vector<Announced> announced(const nlohmann::json& h, std::uint64_t payload) {
  std::vector<Announced> out;
  const auto it = h.find("tensors");
  if (it == h.end()) {
    if (payload != 0) broken(WorkerFailure::protocol, "malformed message: payload without tensors");
    return out;
  }
  if (!it->is_array())
    broken(WorkerFailure::protocol, "malformed message: 'tensors' is not a list");
  std::uint64_t total = 0;
  for (const auto& t : *it) {
    try {
      if (!t.is_object()) broken(WorkerFailure::protocol, "malformed tensor entry " + t.dump());
      const auto dtype = parse_dtype(t.at("dtype").get<std::string>());
      if (!dtype)
        broken(WorkerFailure::protocol, "malformed message: unknown dtype " + t.at("dtype").dump());
      Announced a{t.at("name").get<std::string>(), *dtype, json_shape(t.at("shape")), 0};
      if (__builtin_mul_overflow(element_count(a.shape), dtype_size(a.dtype), &a.bytes) ||
          __builtin_add_overflow(total, a.bytes, &total) || total > payload)
        broken(WorkerFailure::protocol, "malformed message: tensors larger than the payload");
      out.push_back(std::move(a));
    } catch (const nlohmann::json::exception& e) {
      broken(WorkerFailure::protocol,
             fmt::format("malformed tensor entry {}: {}", t.dump(), e.what()));
    } catch (const DataError& e) {
      broken(WorkerFailure::protocol,
             fmt::format("malformed tensor entry {}: {}", t.dump(), e.what()));
    }
  }
  if (total != payload)
    broken(WorkerFailure::protocol,
           fmt::format("malformed message: payload of {} bytes, tensors of {}", payload, total));
  return out;
}

// Reads n payload bytes into a buffer that grows (doubling, from 1 MiB) only as bytes arrive.
std::vector<std::byte> read_payload(int fd, std::size_t n, Clock::time_point deadline,
                                    bool forever) {
  std::vector<std::byte> buf;
  while (buf.size() < n) {
    const std::size_t have = buf.size();
    const std::size_t step = std::min(n - have, std::max<std::size_t>(have, 1U << 20));
    try {
      buf.resize(have + step);
    } catch (const std::bad_alloc&) {
      broken(WorkerFailure::protocol,
             fmt::format("a tensor of {} bytes does not fit in memory", n));
    }
    const std::size_t got = read_all(fd, buf.data() + have, step, deadline, forever);
    if (got != step)
      broken(WorkerFailure::died, "pipe closed in the middle of a message (payload)");
  }
  return buf;
}

}  // namespace

std::uint64_t write_message(int fd, const nlohmann::json& header, const Values& tensors) {
  nlohmann::json hj = header;
  std::uint64_t plen = 0;
  if (!tensors.empty()) {
    hj["tensors"] = tensor_list(tensors);
    for (const auto& t : tensors) plen += t.bytes.size();
  }
  const std::string h = hj.dump();
  const auto hlen = static_cast<std::uint32_t>(h.size());
  write_all(fd, &hlen, sizeof hlen);
  write_all(fd, h.data(), h.size());
  write_all(fd, &plen, sizeof plen);
  // Each tensor's bytes straight from its buffer: no concatenated copy.
  for (const auto& t : tensors)
    if (!t.bytes.empty()) write_all(fd, t.bytes.data(), t.bytes.size());
  return sizeof hlen + h.size() + sizeof plen + plen;
}

std::optional<Message> read_message(int fd, std::chrono::milliseconds timeout) {
  const bool forever = timeout.count() < 0;
  const auto deadline = Clock::now() + (forever ? std::chrono::milliseconds(0) : timeout);
  std::uint32_t hlen = 0;
  const auto first = read_all(fd, &hlen, sizeof hlen, deadline, forever);
  if (first == 0) return std::nullopt;
  auto need = [&](std::size_t got, std::size_t want, const char* what) {
    if (got != want)
      broken(WorkerFailure::died, fmt::format("pipe closed in the middle of a message ({})", what));
  };
  need(first, sizeof hlen, "header length");
  if (hlen > kMaxHeader)
    broken(WorkerFailure::protocol, fmt::format("malformed message: header of {} bytes", hlen));
  std::string h(hlen, '\0');
  need(read_all(fd, h.data(), hlen, deadline, forever), hlen, "header");
  std::uint64_t plen = 0;
  need(read_all(fd, &plen, sizeof plen, deadline, forever), sizeof plen, "payload length");
  Message m;
  try {
    m.header = nlohmann::json::parse(h);
  } catch (const nlohmann::json::exception& e) {
    broken(WorkerFailure::protocol, fmt::format("malformed message header: {}", e.what()));
  }
  if (!m.header.is_object())
    broken(WorkerFailure::protocol, "malformed message: header is not an object");
  const auto tensors = announced(m.header, plen);
  m.header.erase("tensors");
  for (const auto& t : tensors)
    m.tensors.emplace_back(t.name, t.dtype, t.shape, read_payload(fd, t.bytes, deadline, forever));
  m.wire_bytes = sizeof hlen + hlen + sizeof plen + plen;
  return m;
}

}  // namespace convbench::protocol
