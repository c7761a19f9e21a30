#include "runtime/coreml/coreml_platform.hpp"

namespace convbench {

std::optional<std::string> coreml_unavailable_reason() {
#if defined(__APPLE__)
  return "a Core ML worker is not implemented yet (macOS: planned, see docs/runtimes.md)";
#else
  return "not runnable on this platform: Core ML runs only on Apple's OSes (macOS/iOS); on Linux a "
         "Core ML model can be converted and its size measured, not executed";
#endif
}

}  // namespace convbench
