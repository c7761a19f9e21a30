#pragma once
// One progress line per finished cell, with a bar, elapsed time and an ETA from the mean time
// of the cells finished in this run. Plain lines (no cursor tricks), so the terminal and the
// log file read the same. No packaged C++ progress-bar library exists in Debian 12.
#include <chrono>
#include <mutex>
#include <string>

namespace convbench {

class Progress {
 public:
  Progress(int total, int already_done);
  // Returns the line it printed.
  std::string finished(const std::string& what, bool ok, double seconds);

 private:
  std::mutex mu_;
  int total_, done_, done_here_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

std::string format_duration(double seconds);

}  // namespace convbench
