#pragma once
// Errors are exceptions that carry their context (file, stage, runtime) in the message.
// They are thrown where the problem is found and caught once, at the CLI edge.
#include <fmt/format.h>

#include <stdexcept>
#include <string>

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

// A runtime worker failed: it crashed, hung, could not load a model or returned NaN/Inf.
class WorkerError : public Error {
 public:
  using Error::Error;
};

// The user asked for something impossible (bad flag, missing file). Maps to exit code 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

template <typename E = Error, typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw E(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace convbench
