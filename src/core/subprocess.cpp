#include "core/subprocess.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "core/error.hpp"

extern char** environ;

namespace convbench {
namespace {

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (!extra.contains(std::string(kv.substr(0, kv.find('='))))) env.emplace_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

}  // namespace

pid_t spawn_process(const std::vector<std::string>& argv, const SpawnOptions& o) {
  if (argv.empty()) fail("spawn_process: empty command");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (o.stdin_fd >= 0) posix_spawn_file_actions_adddup2(&fa, o.stdin_fd, STDIN_FILENO);
  if (o.stdout_fd >= 0) posix_spawn_file_actions_adddup2(&fa, o.stdout_fd, STDOUT_FILENO);
  if (o.output_log) {
    if (o.output_log->has_parent_path())
      std::filesystem::create_directories(o.output_log->parent_path());
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, o.output_log->c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (o.stdout_fd < 0) posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const auto env_strings = merged_environment(o.env);
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (const auto& s : env_strings) envp.push_back(const_cast<char*>(s.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) fail("cannot start {}: {}", argv[0], std::strerror(rc));
  return pid;
}

std::string ExitStatus::describe() const {
  if (exited) return fmt::format("exited with status {}", code);
  std::string s = fmt::format("killed by signal {} ({})", code, ::strsignal(code));
  if (code == SIGKILL) s += ", e.g. kill -9 or the out-of-memory killer";
  return s;
}

ExitStatus decode_wait_status(int status) {
  if (WIFEXITED(status)) return {true, WEXITSTATUS(status)};
  if (WIFSIGNALED(status)) return {false, WTERMSIG(status)};
  return {false, 0};
}

ExitStatus wait_process(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) fail("waitpid({}) failed: {}", pid, std::strerror(errno));
  return decode_wait_status(status);
}

ExitStatus wait_or_kill(pid_t pid, std::chrono::milliseconds grace) {
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return decode_wait_status(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  return wait_process(pid);
}

ProcessResult run_process(const std::vector<std::string>& argv, const SpawnOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = spawn_process(argv, o);
  ProcessResult r;
  r.status = wait_process(pid);
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

std::string file_tail(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  const std::size_t start = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string s(size - start, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  return start > 0 ? "..." + s : s;
}

}  // namespace convbench
