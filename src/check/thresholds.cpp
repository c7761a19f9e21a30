#include "check/thresholds.hpp"

#include "core/error.hpp"
#include "core/toml_fields.hpp"

namespace convbench {
namespace {

// `key` or `key_pct` (percent) as a share 0..1; both is an error.
std::optional<double> share(TomlFields& t, const std::string& key) {
  const auto v = t.number(key, 0, 1);
  const auto pct = t.number(key + "_pct", 0, 100);
  if (v && pct) fail<UsageError>("{}: give '{}' or '{}_pct', not both", t.file(), key, key);
  if (pct) return *pct / 100.0;
  return v;
}

Tolerance tolerance(TomlFields& t, Tolerance tol) {
  tol.atol = t.number("atol", 0).value_or(tol.atol);
  tol.rtol = t.number("rtol", 0).value_or(tol.rtol);
  return tol;
}

}  // namespace

Tolerance Thresholds::for_output(const std::string& name) const {
  const auto it = per_output.find(name);
  return it == per_output.end() ? tolerance : it->second;
}

void read_thresholds(const std::filesystem::path& file, Thresholds& t) {
  const auto [table, name] = TomlFields::parse(file);
  TomlFields tb(table, name);
  t.source = name;
  t.tolerance = tolerance(tb, t.tolerance);
  if (auto v = share(tb, "max_misclassification")) t.max_misclassification = *v;
  if (auto v = share(tb, "max_accuracy_drop")) t.max_accuracy_drop = *v;
  if (auto v = tb.number("max_latency_ratio", 0)) t.max_latency_ratio = *v;
  if (auto v = tb.number("max_size_ratio", 0)) t.max_size_ratio = *v;
  if (auto outs = tb.table("output"))
    for (const auto& out : outs->keys()) {
      auto o = outs->table(out);
      t.per_output[out] = tolerance(*o, t.tolerance);
    }
  tb.reject_unknown();
}

}  // namespace convbench
