#pragma once
// The worker protocol: length-prefixed messages on a pipe. Each message is a JSON header (the
// request or reply, plus the list of tensors it carries) and the tensors' raw bytes back to back:
//   u32 header_bytes | header JSON | u64 payload_bytes | payload
// header "tensors": [{"name", "dtype", "shape"}, ...] describes the payload in order; the payload
// size must equal their sum. Copying a batch through a pipe costs far less than running it
// (docs/RESULTS.md, "Protocol cost"), so no shared memory.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/value.hpp"

namespace convbench::protocol {

// The implicit noexcept move of nlohmann::json is flagged by clang-tidy (its invariant checks are
// not provably non-throwing to the analysis); it never throws.
struct Message {  // NOLINT(bugprone-exception-escape)
  nlohmann::json header;
  Values tensors;
  std::uint64_t wire_bytes = 0;  // set by read_message: what it took off the pipe
};

// Returns the bytes written (the protocol's cost, reported per batch).
std::uint64_t write_message(int fd, const nlohmann::json& header, const Values& tensors);
inline std::uint64_t write_message(int fd, const Message& m) {
  return write_message(fd, m.header, m.tensors);
}

// Returns nullopt if the peer closed the pipe before sending anything (it exited or died).
// Throws WorkerError of kind `hung` if no complete message arrives within timeout (negative:
// wait forever), `died` if the pipe closes mid-message, `protocol` if the stream is malformed.
std::optional<Message> read_message(int fd, std::chrono::milliseconds timeout);

}  // namespace convbench::protocol
