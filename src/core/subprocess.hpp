#pragma once
// Starting child processes and describing how they ended: shared by the runtime workers'
// supervisor and the study's calls into the Python zoo.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace convbench {

struct SpawnOptions {
  std::map<std::string, std::string> env;           // added to (or replacing in) our environment
  int stdin_fd = -1, stdout_fd = -1;                // dup2'ed onto the child's 0 / 1 when >= 0
  std::optional<std::filesystem::path> output_log;  // child's stderr (and stdout if not redirected)
};

// posix_spawn of argv[0] (a path). Throws Error with the reason if it cannot start.
pid_t spawn_process(const std::vector<std::string>& argv, const SpawnOptions& options);

// How a waited-for child ended.
struct ExitStatus {
  bool exited = false;  // normal exit
  int code = 0;         // exit code when exited, else the signal
  bool ok() const { return exited && code == 0; }
  std::string describe() const;  // "exited with status 3", "killed by signal 9 (Killed) ..."
};
ExitStatus decode_wait_status(int status);

// Blocks until the child ends.
ExitStatus wait_process(pid_t pid);

// Waits up to `grace` for the child to end, then SIGKILLs and reaps it.
ExitStatus wait_or_kill(pid_t pid, std::chrono::milliseconds grace);

struct ProcessResult {
  ExitStatus status;
  double wall_s = 0;
};

// Runs a command to completion, its output appended to options.output_log.
ProcessResult run_process(const std::vector<std::string>& argv, const SpawnOptions& options);

// The last `max_bytes` of a text file ("" if it does not exist).
std::string file_tail(const std::filesystem::path& path, std::size_t max_bytes = 800);

}  // namespace convbench
