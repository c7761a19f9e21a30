#include "attack/robustness.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace convbench {

std::vector<std::optional<double>> normalised_success_change(
    std::span<const StoredAttack> records) {
  std::vector<std::optional<double>> d(records.size());
  std::map<std::string, std::pair<double, double>> range;  // attack -> (min d, max d)
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.status != "ok" || !r.success_original || !r.success_converted) continue;
    d[i] = std::abs(*r.success_converted - *r.success_original);
    auto [it, fresh] = range.try_emplace(r.attack, *d[i], *d[i]);
    if (!fresh) {
      it->second.first = std::min(it->second.first, *d[i]);
      it->second.second = std::max(it->second.second, *d[i]);
    }
  }
  std::vector<std::optional<double>> p(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (!d[i]) continue;
    const auto [lo, hi] = range.at(records[i].attack);
    p[i] = hi > lo ? (*d[i] - lo) / (hi - lo) : 0.0;
  }
  return p;
}

std::vector<RobustnessIndicator> robustness_indicator(std::span<const StoredAttack> records) {
  const auto p = normalised_success_change(records);
  std::vector<RobustnessIndicator> out;
  std::map<std::pair<std::string, std::string>, std::size_t> index;  // (cell, role) -> out
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (!p[i]) continue;
    const auto& r = records[i];
    auto [it, fresh] = index.try_emplace({r.cell, r.role}, out.size());
    if (fresh) out.push_back({r.cell, r.model, r.framework, r.role, r.replicate, 0, 0});
    out[it->second].r += *p[i];
    out[it->second].attacks += 1;
  }
  return out;
}

}  // namespace convbench
