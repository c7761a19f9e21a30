#include "runtime/protocol.hpp"

#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

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

// The tensors a header announces, validated, with their buffers allocated.
Values announced(const nlohmann::json& h, std::uint64_t payload) {
  Values out;
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
      const auto dtype = parse_dtype(t.at("dtype").get<std::string>());
      if (!dtype)
        broken(WorkerFailure::protocol, "malformed message: unknown dtype " + t.at("dtype").dump());
      if (!t.is_object()) broken(WorkerFailure::protocol, "malformed tensor entry " + t.dump());
      Value v(t.at("name").get<std::string>(), *dtype, t.at("shape").get<Shape>());
      if (__builtin_add_overflow(total, v.bytes.size(), &total) || total > payload)
        broken(WorkerFailure::protocol, "malformed message: tensors larger than the payload");
      out.push_back(std::move(v));
    } catch (const nlohmann::json::exception& e) {
      broken(WorkerFailure::protocol,
             fmt::format("malformed tensor entry {}: {}", t.dump(), e.what()));
    } catch (const std::bad_alloc&) {
      broken(WorkerFailure::protocol,
             fmt::format("tensor entry {} does not fit in memory", t.dump()));
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
  m.tensors = announced(m.header, plen);
  m.header.erase("tensors");
  for (auto& t : m.tensors)
    need(read_all(fd, t.bytes.data(), t.bytes.size(), deadline, forever), t.bytes.size(),
         "payload");
  m.wire_bytes = sizeof hlen + hlen + sizeof plen + plen;
  return m;
}

}  // namespace convbench::protocol
