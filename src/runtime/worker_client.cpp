#include "runtime/worker_client.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>

#include "core/error.hpp"
#include "core/subprocess.hpp"
#include "runtime/protocol.hpp"

namespace convbench {
namespace fs = std::filesystem;

fs::path worker_dir() {
  if (const char* d = std::getenv("CONVBENCH_WORKER_DIR"); d != nullptr && *d != '\0') return d;
  // Beside the binary (the build tree), else <prefix>/libexec/convbench (an installed tree).
  const fs::path bin = fs::read_symlink("/proc/self/exe").parent_path();
  const fs::path libexec = bin.parent_path() / "libexec" / "convbench";
  std::error_code ec;
  return fs::is_directory(libexec, ec) ? libexec : bin;
}

WorkerClient::WorkerClient(WorkerSpec spec) : spec_(std::move(spec)) {
  if (!fs::exists(spec_.executable))
    fail<WorkerError>(
        "{} worker: executable {} not found (was this runtime built? see docs/runtimes.md)",
        spec_.name, spec_.executable.string());
  int in_pipe[2];   // we write -> worker stdin
  int out_pipe[2];  // worker stdout -> we read
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0)
    fail<WorkerError>("{} worker: pipe failed: {}", spec_.name, std::strerror(errno));
  SpawnOptions so;
  so.env = spec_.env;
  so.stdin_fd = in_pipe[0];
  so.stdout_fd = out_pipe[1];
  if (spec_.stderr_log) {
    std::filesystem::remove(*spec_.stderr_log);  // one log per worker run
    so.output_log = spec_.stderr_log;
  }
  try {
    pid_ = spawn_process({spec_.executable.string()}, so);
  } catch (const Error& e) {
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) ::close(fd);
    fail<WorkerError>("{} worker: {}", spec_.name, e.what());
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  to_worker_ = in_pipe[1];
  from_worker_ = out_pipe[0];
  // A worker that dies must not kill us with SIGPIPE on the next write.
  ::signal(SIGPIPE, SIG_IGN);
}

WorkerClient::~WorkerClient() {
  if (pid_ > 0) {
    try {
      protocol::write_message(to_worker_, {{"op", "exit"}}, {});
    } catch (...) {  // already dead: reaped below
    }
    ::close(to_worker_);
    wait_or_kill(pid_, std::chrono::seconds(1));
  }
  if (from_worker_ >= 0) ::close(from_worker_);
}

std::string WorkerClient::reap_cause() {
  if (pid_ <= 0) return "worker already gone";
  // The pipe is closed: the process is exiting or dead. Give it 2 s, then force it.
  const ExitStatus st = wait_or_kill(pid_, std::chrono::seconds(2));
  pid_ = -1;
  return st.describe();
}

std::string WorkerClient::stderr_tail() const {
  if (!spec_.stderr_log) return "";
  const std::string all = file_tail(*spec_.stderr_log);
  if (all.empty()) return fmt::format("; its stderr log {} is empty", spec_.stderr_log->string());
  return fmt::format("; its stderr ({}) ends: {}", spec_.stderr_log->string(), all);
}

protocol::Message WorkerClient::request(const nlohmann::json& header, const Values& tensors,
                                        const std::string& what) {
  if (pid_ <= 0)
    throw WorkerError(fmt::format("{} worker: not running (it died earlier)", spec_.name),
                      WorkerFailure::died);
  std::optional<protocol::Message> rep;
  std::uint64_t sent = 0;
  try {
    // Written straight from the caller's buffers.
    sent = protocol::write_message(to_worker_, header, tensors);
    rep = protocol::read_message(from_worker_, spec_.timeout);
  } catch (const WorkerError& e) {
    if (e.kind() == WorkerFailure::hung) {
      ::kill(pid_, SIGKILL);
      reap_cause();
      throw WorkerError(fmt::format("{} worker: {} while {}; killed after {} s", spec_.name,
                                    e.what(), what, spec_.timeout.count() / 1000.0),
                        WorkerFailure::hung);
    }
    // A broken pipe, a message cut short or garbage: the worker died (or is dying) under us.
    const auto cause = reap_cause();
    throw WorkerError(
        fmt::format("{} worker died while {}: {}{}", spec_.name, what, cause, stderr_tail()),
        e.kind() == WorkerFailure::protocol ? WorkerFailure::protocol : WorkerFailure::died);
  }
  if (!rep) {
    const auto cause = reap_cause();
    throw WorkerError(
        fmt::format("{} worker died while {}: {}{}", spec_.name, what, cause, stderr_tail()),
        WorkerFailure::died);
  }
  if (!rep->header.value("ok", false))
    throw WorkerError(fmt::format("{} worker failed while {}: {}", spec_.name, what,
                                  rep->header.value("error", std::string("no error text"))),
                      rep->header.value("kind", "") == "unsupported" ? WorkerFailure::unsupported
                                                                     : WorkerFailure::error_reply);
  rep->wire_bytes += sent;
  return std::move(*rep);
}

LoadReply WorkerClient::load(const fs::path& model, const LoadOptions& options) {
  const nlohmann::json h = {{"op", "load"},
                            {"path", model.string()},
                            {"threads", options.threads},
                            {"signature", options.signature}};
  auto rep = request(h, {}, "loading " + model.string());
  LoadReply r;
  r.load_s = rep.header.at("load_s").get<double>();
  r.runtime = rep.header.value("runtime", "");
  try {
    r.signature = signature_from_json(rep.header.at("signature"));
  } catch (const nlohmann::json::exception& e) {
    throw WorkerError(fmt::format("{} worker: malformed signature for {}: {}", spec_.name,
                                  model.string(), e.what()),
                      WorkerFailure::protocol);
  }
  return r;
}

namespace {
std::string feed_str(const Values& feed) {
  std::string s;
  for (const auto& v : feed) s += (s.empty() ? "" : ", ") + describe(v);
  return s;
}
}  // namespace

RunReply WorkerClient::run(const Values& feed) {
  const nlohmann::json h = {{"op", "run"}};
  auto rep = request(h, feed, fmt::format("running a batch ({})", feed_str(feed)));
  RunReply r;
  r.run_s = rep.header.at("run_s").get<double>();
  r.pipe_bytes = rep.wire_bytes;
  r.outputs = std::move(rep.tensors);
  return r;
}

Value WorkerClient::loss_gradient(const Value& batch, std::span<const std::int64_t> labels) {
  auto rep = request(
      {{"op", "gradient"}, {"labels", std::vector<std::int64_t>(labels.begin(), labels.end())}},
      {batch}, fmt::format("computing the input gradient of {}", describe(batch)));
  if (rep.tensors.size() != 1)
    throw WorkerError(
        fmt::format("{} worker: gradient reply carries {} tensors", spec_.name, rep.tensors.size()),
        WorkerFailure::protocol);
  return std::move(rep.tensors.front());
}

std::uint64_t WorkerClient::peak_rss_bytes() {
  return request({{"op", "stats"}}, {}, "reporting memory")
      .header.at("peak_rss_bytes")
      .get<std::uint64_t>();
}

}  // namespace convbench
