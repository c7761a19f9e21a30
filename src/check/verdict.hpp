#pragma once
// The verdict of `convbench check`: a short text for people, the same as JSON for machines
// (schema in docs/check.md), and the exit code for CI.
#include <nlohmann/json.hpp>
#include <string>

#include "check/check.hpp"

namespace convbench {

std::string verdict_text(const CheckReport& r);
nlohmann::json verdict_json(const CheckReport& r);

// 0 pass, 1 fidelity or performance failure (the converted model only; variants inform).
int verdict_exit_code(const CheckReport& r);

}  // namespace convbench
