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
  return fs::read_symlink("/proc/self/exe").parent_path();
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
      protocol::write_message(to_worker_, {{{"op", "exit"}}, {}});
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

nlohmann::json WorkerClient::request(const nlohmann::json& header, std::vector<float> payload,
                                     std::vector<float>* reply_payload, const std::string& what) {
  if (pid_ <= 0) fail<WorkerError>("{} worker: not running (it died earlier)", spec_.name);
  std::optional<protocol::Message> rep;
  try {
    protocol::write_message(to_worker_, {header, std::move(payload)});
    rep = protocol::read_message(from_worker_, spec_.timeout);
  } catch (const WorkerError& e) {
    const std::string msg = e.what();
    if (msg.find("hung") != std::string::npos) {
      ::kill(pid_, SIGKILL);
      reap_cause();
      fail<WorkerError>("{} worker: {} while {}; killed after {} s", spec_.name, msg, what,
                        spec_.timeout.count() / 1000.0);
    }
    // A broken pipe or a message cut short: the worker died under us.
    const auto cause = reap_cause();
    fail<WorkerError>("{} worker died while {}: {}{}", spec_.name, what, cause, stderr_tail());
  }
  if (!rep) {
    const auto cause = reap_cause();
    fail<WorkerError>("{} worker died while {}: {}{}", spec_.name, what, cause, stderr_tail());
  }
  if (!rep->header.value("ok", false))
    fail<WorkerError>("{} worker failed while {}: {}", spec_.name, what,
                      rep->header.value("error", std::string("no error text")));
  if (reply_payload != nullptr) *reply_payload = std::move(rep->payload);
  return rep->header;
}

LoadReply WorkerClient::load(const fs::path& model, const LoadOptions& options) {
  nlohmann::json h = {{"op", "load"},
                      {"path", model.string()},
                      {"threads", options.threads},
                      {"input_name", options.input_name},
                      {"output_name", options.output_name},
                      {"gradient",
                       {{"input", options.gradient.input},
                        {"label", options.gradient.label},
                        {"output", options.gradient.output}}}};
  auto rep = request(h, {}, nullptr, "loading " + model.string());
  return {rep.at("load_s").get<double>(), rep.value("runtime", ""),
          rep.value("io", nlohmann::json{})};
}

RunReply WorkerClient::run(const Tensor& batch) {
  std::vector<float> out;
  auto rep = request({{"op", "run"}, {"shape", batch.shape}}, batch.data, &out,
                     fmt::format("running a batch of shape {}", shape_str(batch.shape)));
  RunReply r;
  r.run_s = rep.at("run_s").get<double>();
  r.output = Tensor(rep.at("shape").get<Shape>(), std::move(out));
  return r;
}

Tensor WorkerClient::loss_gradient(const Tensor& batch, std::span<const std::int64_t> labels) {
  std::vector<float> out;
  auto rep = request(
      {{"op", "gradient"},
       {"shape", batch.shape},
       {"labels", std::vector<std::int64_t>(labels.begin(), labels.end())}},
      batch.data, &out,
      fmt::format("computing the input gradient of a batch of shape {}", shape_str(batch.shape)));
  return Tensor(rep.at("shape").get<Shape>(), std::move(out));
}

std::uint64_t WorkerClient::peak_rss_bytes() {
  return request({{"op", "stats"}}, {}, nullptr, "reporting memory")
      .at("peak_rss_bytes")
      .get<std::uint64_t>();
}

}  // namespace convbench
