#pragma once
// The orchestrator's side of a runtime worker: spawns the worker executable, speaks the
// protocol, and turns a crash, a kill, a hang or an error reply into a WorkerError that says
// which worker, doing what, and why. The worker process is owned (RAII): destroying the client
// ends it.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

#include "core/value.hpp"
#include "runtime/backend.hpp"
#include "runtime/protocol.hpp"

namespace convbench {

struct WorkerSpec {
  std::string name;  // for messages: "onnxruntime", "torch", ...
  std::filesystem::path executable;
  std::map<std::string, std::string> env;           // added to (or replacing in) our environment
  std::chrono::milliseconds timeout{600'000};       // per request
  std::optional<std::filesystem::path> stderr_log;  // worker's stderr; default: inherit ours
};

struct LoadReply {
  double load_s = 0;
  std::string runtime;
  ModelSignature signature;
};

struct RunReply {
  double run_s = 0;              // measured inside the worker around the runtime call only
  Values outputs;                // every output, by name, in the model's order
  std::uint64_t pipe_bytes = 0;  // request + reply bytes through the pipe
};

class WorkerClient {
 public:
  explicit WorkerClient(WorkerSpec spec);
  ~WorkerClient();
  WorkerClient(const WorkerClient&) = delete;
  WorkerClient& operator=(const WorkerClient&) = delete;

  LoadReply load(const std::filesystem::path& model, const LoadOptions& options);
  RunReply run(const Values& feed);
  // The original framework's loss gradient w.r.t. the input (Backend::loss_gradient).
  Value loss_gradient(const Value& batch, std::span<const std::int64_t> labels);
  std::uint64_t peak_rss_bytes();
  pid_t pid() const { return pid_; }
  const std::string& name() const { return spec_.name; }

 private:
  // The reply; its wire_bytes counts both directions (request + reply).
  protocol::Message request(const nlohmann::json& header, const Values& tensors,
                            const std::string& what);
  // Reaps the dead worker and describes how it ended ("killed by signal 9 (Killed)").
  std::string reap_cause();
  std::string stderr_tail() const;

  WorkerSpec spec_;
  pid_t pid_ = -1;
  int to_worker_ = -1;
  int from_worker_ = -1;
};

// Where the worker executables live: $CONVBENCH_WORKER_DIR, else beside the running binary.
std::filesystem::path worker_dir();

}  // namespace convbench
