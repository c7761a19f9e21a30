#pragma once
// The worker protocol: length-prefixed messages on a pipe. Each message is a JSON header
// (the request or reply) plus an optional float32 payload (a batch in, outputs back):
//   u32 header_bytes | header JSON | u64 payload_bytes | payload
// Copying a batch through a pipe costs far less than running it, so no shared memory.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace convbench::protocol {

// The implicit noexcept move of nlohmann::json is flagged by clang-tidy (its invariant checks are
// not provably non-throwing to the analysis); it never throws.
struct Message {  // NOLINT(bugprone-exception-escape)
  nlohmann::json header;
  std::vector<float> payload;
};

void write_message(int fd, const Message& m);

// Returns nullopt if the peer closed the pipe before sending anything (it exited or died).
// Throws WorkerError if no complete message arrives within timeout (negative: wait forever)
// or the stream is malformed.
std::optional<Message> read_message(int fd, std::chrono::milliseconds timeout);

}  // namespace convbench::protocol
