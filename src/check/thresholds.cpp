#include "check/thresholds.hpp"

#include <toml++/toml.h>

#include <algorithm>

#include "core/error.hpp"

namespace convbench {
namespace {

double number(const toml::node& n, const std::filesystem::path& file, std::string_view key) {
  if (auto v = n.value<double>()) {
    if (*v < 0) fail<UsageError>("{}: '{}' must not be negative", file.string(), key);
    return *v;
  }
  fail<UsageError>("{}: '{}' must be a number", file.string(), key);
}

// `key` or `key_pct` (percent) as a share 0..1.
std::optional<double> share(const toml::table& tb, const std::filesystem::path& file,
                            const std::string& key) {
  if (const auto* n = tb.get(key)) return number(*n, file, key);
  if (const auto* n = tb.get(key + "_pct")) return number(*n, file, key + "_pct") / 100.0;
  return std::nullopt;
}

}  // namespace

Tolerance Thresholds::for_output(const std::string& name) const {
  const auto it = per_output.find(name);
  return it == per_output.end() ? tolerance : it->second;
}

void read_thresholds(const std::filesystem::path& file, Thresholds& t) {
  if (!std::filesystem::exists(file)) fail<UsageError>("{}: no such config file", file.string());
  toml::table tb;
  try {
    tb = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    fail<UsageError>("{}: {}", file.string(), e.description());
  }
  static const std::string_view known[] = {"atol",
                                           "rtol",
                                           "max_misclassification",
                                           "max_misclassification_pct",
                                           "max_accuracy_drop",
                                           "max_accuracy_drop_pct",
                                           "max_latency_ratio",
                                           "max_size_ratio",
                                           "output"};
  for (const auto& [k, v] : tb) {
    if (std::find(std::begin(known), std::end(known), k.str()) == std::end(known))
      fail<UsageError>("{}: unknown key '{}'", file.string(), k.str());
  }
  if (const auto* n = tb.get("atol")) t.tolerance.atol = number(*n, file, "atol");
  if (const auto* n = tb.get("rtol")) t.tolerance.rtol = number(*n, file, "rtol");
  if (auto v = share(tb, file, "max_misclassification")) t.max_misclassification = *v;
  if (auto v = share(tb, file, "max_accuracy_drop")) t.max_accuracy_drop = *v;
  if (const auto* n = tb.get("max_latency_ratio"))
    t.max_latency_ratio = number(*n, file, "max_latency_ratio");
  if (const auto* n = tb.get("max_size_ratio"))
    t.max_size_ratio = number(*n, file, "max_size_ratio");
  if (const auto* outs = tb.get_as<toml::table>("output")) {
    for (const auto& [name, node] : *outs) {
      const auto* o = node.as_table();
      if (!o) fail<UsageError>("{}: [output.{}] must be a table", file.string(), name.str());
      Tolerance tol = t.tolerance;
      if (const auto* n = o->get("atol")) tol.atol = number(*n, file, "atol");
      if (const auto* n = o->get("rtol")) tol.rtol = number(*n, file, "rtol");
      t.per_output[std::string(name.str())] = tol;
    }
  }
}

}  // namespace convbench
