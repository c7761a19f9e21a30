#include "runtime/protocol.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/error.hpp"

namespace convbench::protocol {
namespace {

using Clock = std::chrono::steady_clock;

void write_all(int fd, const void* data, std::size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail<WorkerError>("pipe write failed: {}", std::strerror(errno));
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
      if (left <= 0) fail<WorkerError>("no reply within the time limit (worker hung)");
      wait_ms = static_cast<int>(left);
    }
    pollfd pfd{fd, POLLIN, 0};
    const int pr = ::poll(&pfd, 1, wait_ms);
    if (pr < 0) {
      if (errno == EINTR) continue;
      fail<WorkerError>("poll failed: {}", std::strerror(errno));
    }
    if (pr == 0) continue;  // re-check the deadline
    const ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      fail<WorkerError>("pipe read failed: {}", std::strerror(errno));
    }
    if (r == 0) return got;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

}  // namespace

void write_message(int fd, const Message& m) {
  const std::string h = m.header.dump();
  const auto hlen = static_cast<std::uint32_t>(h.size());
  const std::uint64_t plen = m.payload.size() * sizeof(float);
  write_all(fd, &hlen, sizeof hlen);
  write_all(fd, h.data(), h.size());
  write_all(fd, &plen, sizeof plen);
  if (plen > 0) write_all(fd, m.payload.data(), plen);
}

std::optional<Message> read_message(int fd, std::chrono::milliseconds timeout) {
  const bool forever = timeout.count() < 0;
  const auto deadline = Clock::now() + (forever ? std::chrono::milliseconds(0) : timeout);
  std::uint32_t hlen = 0;
  const auto first = read_all(fd, &hlen, sizeof hlen, deadline, forever);
  if (first == 0) return std::nullopt;
  auto need = [&](std::size_t got, std::size_t want, const char* what) {
    if (got != want) fail<WorkerError>("pipe closed in the middle of a message ({})", what);
  };
  need(first, sizeof hlen, "header length");
  if (hlen > (1U << 24)) fail<WorkerError>("malformed message: header of {} bytes", hlen);
  std::string h(hlen, '\0');
  need(read_all(fd, h.data(), hlen, deadline, forever), hlen, "header");
  std::uint64_t plen = 0;
  need(read_all(fd, &plen, sizeof plen, deadline, forever), sizeof plen, "payload length");
  if (plen % sizeof(float) != 0)
    fail<WorkerError>("malformed message: payload of {} bytes is not float32", plen);
  Message m;
  try {
    m.header = nlohmann::json::parse(h);
  } catch (const nlohmann::json::exception& e) {
    fail<WorkerError>("malformed message header: {}", e.what());
  }
  m.payload.resize(plen / sizeof(float));
  need(read_all(fd, m.payload.data(), plen, deadline, forever), plen, "payload");
  return m;
}

}  // namespace convbench::protocol
