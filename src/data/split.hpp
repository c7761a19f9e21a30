#pragma once
// The two splits every dataset ships: the one models train on and the held-out one they are
// measured on.
#include <string_view>

namespace convbench {

enum class Split { train, test };

constexpr std::string_view split_name(Split s) { return s == Split::train ? "train" : "test"; }

}  // namespace convbench
