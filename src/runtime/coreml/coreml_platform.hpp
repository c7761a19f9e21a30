#pragma once
// Core ML inference exists only inside Apple's Core ML framework (macOS/iOS). On Linux a Core ML
// model can be converted (coremltools) and measured on disk, never run. This says why, plainly,
// so that callers report it instead of inventing numbers.
#include <optional>
#include <string>

namespace convbench {

// The reason Core ML models cannot be run here, or nullopt where they can.
std::optional<std::string> coreml_unavailable_reason();

}  // namespace convbench
