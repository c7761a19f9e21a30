#include "runtime/worker_client.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <thread>

#include "core/error.hpp"
#include "runtime/protocol.hpp"

extern char** environ;

namespace convbench {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    const auto key = kv.substr(0, kv.find('='));
    if (!extra.contains(std::string(key))) env.emplace_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

}  // namespace

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
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], STDOUT_FILENO);
  if (spec_.stderr_log) {
    fs::create_directories(spec_.stderr_log->parent_path());
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, spec_.stderr_log->c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  const std::string exe = spec_.executable.string();
  std::vector<char*> argv{const_cast<char*>(exe.c_str()), nullptr};
  const auto env_strings = merged_environment(spec_.env);
  std::vector<char*> envp;
  for (const auto& s : env_strings) envp.push_back(const_cast<char*>(s.c_str()));
  envp.push_back(nullptr);
  const int rc = ::posix_spawn(&pid_, exe.c_str(), &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  to_worker_ = in_pipe[1];
  from_worker_ = out_pipe[0];
  if (rc != 0) {
    ::close(to_worker_);
    ::close(from_worker_);
    fail<WorkerError>("{} worker: cannot start {}: {}", spec_.name, exe, std::strerror(rc));
  }
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
    // Give it a moment to exit cleanly, then make sure.
    int status = 0;
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  if (from_worker_ >= 0) ::close(from_worker_);
}

std::string WorkerClient::reap_cause() {
  if (pid_ <= 0) return "worker already gone";
  int status = 0;
  // The pipe is closed; the process is exiting or dead. Wait briefly, then force it.
  pid_t r = 0;
  for (int i = 0; i < 100 && r == 0; ++i) {
    r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (r == 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return "closed its pipe and did not exit (killed)";
  }
  pid_ = -1;
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    std::string cause = fmt::format("killed by signal {} ({})", sig, ::strsignal(sig));
    if (sig == SIGKILL) cause += ", e.g. kill -9 or the out-of-memory killer";
    return cause;
  }
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  return "ended for an unknown reason";
}

std::string WorkerClient::stderr_tail() const {
  if (!spec_.stderr_log) return "";
  std::ifstream in(*spec_.stderr_log);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.size() > 800) all = "..." + all.substr(all.size() - 800);
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
                      {"output_name", options.output_name}};
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

std::uint64_t WorkerClient::peak_rss_bytes() {
  return request({{"op", "stats"}}, {}, nullptr, "reporting memory")
      .at("peak_rss_bytes")
      .get<std::uint64_t>();
}

}  // namespace convbench
