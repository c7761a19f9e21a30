#pragma once
#include <cstdint>

namespace convbench {

// Peak resident set size of this process so far (VmHWM), in bytes.
std::uint64_t peak_rss_bytes();

}  // namespace convbench
