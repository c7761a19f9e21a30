// read_message on arbitrary bytes, as a worker's reply pipe would carry them: every message in
// the input read until the stream ends (nullopt) or is refused (WorkerError).
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/error.hpp"
#include "runtime/protocol.hpp"

namespace {

// A memory file: read() and poll() behave as on a pipe whose writer has sent everything and
// closed it, with no 64 KiB pipe-buffer limit on the input size.
int memory_fd() {
  static const int fd = ::memfd_create("fuzz_protocol", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  const int fd = memory_fd();
  if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) std::abort();
  for (std::size_t done = 0; done < size;) {
    const ssize_t w = ::write(fd, data + done, size - done);
    if (w <= 0) std::abort();
    done += static_cast<std::size_t>(w);
  }
  if (::lseek(fd, 0, SEEK_SET) != 0) std::abort();
  try {
    while (const auto m = protocol::read_message(fd, std::chrono::seconds(5)))
      if (!m->header.is_object()) __builtin_trap();
  } catch (const WorkerError&) {
  }
  return 0;
}
