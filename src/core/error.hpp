#pragma once
// Errors are exceptions that carry their context (file, stage, runtime) in the message.
// They are thrown where the problem is found and caught once, at the CLI edge.
#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace convbench {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Input that is not what it claims to be: a truncated or malformed data file, a wrong shape.
class DataError : public Error {
 public:
  using Error::Error;
};

// How a runtime worker failed, as data (callers branch on it, never on message text).
enum class WorkerFailure {
  error_reply,  // the runtime raised an error (cannot load, bad input, NaN outputs, ...)
  unsupported,  // the runtime cannot take this dtype / feature (names the tensor)
  died,         // the process exited or was killed
  hung,         // no reply within the per-request timeout (then killed)
  protocol,     // the pipe carried something that is not a message
};
std::string_view to_string(WorkerFailure k);

// A runtime worker failed: it crashed, hung, could not load a model or returned NaN/Inf.
class WorkerError : public Error {
 public:
  explicit WorkerError(const std::string& what, WorkerFailure kind = WorkerFailure::error_reply)
      : Error(what), kind_(kind) {}
  WorkerFailure kind() const { return kind_; }

 private:
  WorkerFailure kind_;
};

// Thrown by a backend inside its worker for a dtype or feature its runtime cannot take; the
// worker loop replies with kind "unsupported".
class UnsupportedError : public Error {
 public:
  using Error::Error;
};

// The user asked for something impossible (bad flag, missing file). Maps to exit code 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

inline std::string_view to_string(WorkerFailure k) {
  switch (k) {
    case WorkerFailure::error_reply:
      return "error reply";
    case WorkerFailure::unsupported:
      return "unsupported";
    case WorkerFailure::died:
      return "died";
    case WorkerFailure::hung:
      return "hung";
    case WorkerFailure::protocol:
      return "protocol";
  }
  return "?";
}

template <typename E = Error, typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw E(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace convbench
