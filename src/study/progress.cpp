#include "study/progress.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

namespace convbench {

std::string format_duration(double s) {
  if (s < 60) return fmt::format("{:.0f}s", s);
  if (s < 3600) return fmt::format("{:.0f}m{:02.0f}s", std::floor(s / 60), std::fmod(s, 60));
  return fmt::format("{:.0f}h{:02.0f}m", std::floor(s / 3600), std::fmod(s, 3600) / 60);
}

Progress::Progress(int total, int already_done) : total_(total), done_(already_done) {}

std::string Progress::finished(const std::string& what, bool ok, double seconds) {
  std::lock_guard lock(mu_);
  ++done_;
  ++done_here_;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = elapsed / done_here_ * (total_ - done_);
  constexpr int width = 20;
  const int filled = total_ > 0 ? width * done_ / total_ : width;
  const std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                          std::string(static_cast<std::size_t>(width - filled), '.');
  std::string line = fmt::format(
      "[{:>{}}/{}] [{}] {:3.0f}%  {} {} in {}  | elapsed {}, ETA {}", done_,
      std::to_string(total_).size(), total_, bar, total_ > 0 ? 100.0 * done_ / total_ : 100.0, what,
      ok ? "done" : "FAILED", format_duration(seconds), format_duration(elapsed),
      done_ == total_ ? "0s" : format_duration(eta));
  std::fprintf(stderr, "%s\n", line.c_str());
  return line;
}

}  // namespace convbench
