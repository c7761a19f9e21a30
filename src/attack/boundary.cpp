// The Boundary attack, following Foolbox 3.3.4 (foolbox/attacks/boundary_attack.py and
// blended_noise.py). Differences from Foolbox, all deliberate (docs/attacks-boundary.md):
//  1. Clean inputs are classified first; those the model already gets wrong are reported as
//     already_misclassified and not attacked (Foolbox returns them unchanged at distance 0 via the
//     line search's epsilon = 0). This query stands in for Foolbox's epsilon = 0 query.
//  2. Images for which no adversarial noise is found are reported as no_starting_point and the
//     others are attacked (Foolbox raises ValueError for the whole batch).
//  3. Initialisation queries only the images still searching: noise is drawn and sent only for
//     images without an adversarial draw yet, the line search only for images whose epsilon is
//     not found yet, and epsilon = 1 (the noise itself, known to be adversarial) and Foolbox's
//     re-check of the starting points are not sent. The points found are the ones Foolbox's
//     search rules give; only the number of queries is smaller.
//  4. Bounds are element-wise (our inputs are standardised per channel), not one scalar pair;
//     noise is uniform in [lower_i, upper_i] and the blended starting point is clipped to them.
//  5. Norms and dot products accumulate in double (Foolbox: float32 throughout).
//  6. The candidates and (every k-th step) the spherical candidates go to the model in ONE call.
//  7. A query budget (max_queries) may stop the attack before `steps`; a step is run whole or not
//     at all. Foolbox has no query budget.
// Kept as in Foolbox: one Gaussian direction per step shared by all images (made orthogonal per
// image), converged images are still queried and still update their statistics, the success
// statistics windows (100 spherical, 30 step), their thresholds (0.5/0.2 and 0.25/0.1) and
// their shared write position.
#include "attack/boundary.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/error.hpp"
#include "data/catalogue.hpp"

namespace convbench {
namespace {

// Foolbox's ArrayQueue: per-sample windows of success flags that share one write position; a
// cleared window refills from wherever that position is. Full = no empty slot.
class StatsWindow {
 public:
  StatsWindow(int maxlen, std::size_t n)
      : maxlen_(static_cast<std::size_t>(maxlen)), n_(n), data_(maxlen_ * n, kEmpty) {}

  void append(std::span<const char> flags) {
    std::copy(flags.begin(), flags.end(), data_.begin() + static_cast<std::ptrdiff_t>(next_ * n_));
    next_ = (next_ + 1) % maxlen_;
  }
  void clear(std::size_t i) {
    for (std::size_t r = 0; r < maxlen_; ++r) data_[r * n_ + i] = kEmpty;
  }
  bool full(std::size_t i) const {
    for (std::size_t r = 0; r < maxlen_; ++r)
      if (data_[r * n_ + i] == kEmpty) return false;
    return true;
  }
  double mean(std::size_t i) const {  // of a full window
    double s = 0;
    for (std::size_t r = 0; r < maxlen_; ++r) s += data_[r * n_ + i];
    return s / static_cast<double>(maxlen_);
  }

 private:
  static constexpr char kEmpty = -1;
  std::size_t maxlen_, n_;
  std::vector<char> data_;
  std::size_t next_ = 0;
};

double l2_diff(std::span<const float> a, std::span<const float> b) {
  double s = 0;
  for (std::size_t j = 0; j < a.size(); ++j) {
    const double d = static_cast<double>(a[j]) - b[j];
    s += d * d;
  }
  return std::sqrt(s);
}

void clip(std::span<float> x, std::span<const float> lower, std::span<const float> upper) {
  for (std::size_t j = 0; j < x.size(); ++j) x[j] = std::clamp(x[j], lower[j], upper[j]);
}

void check_arguments(const Tensor& inputs, std::span<const std::int64_t> labels,
                     std::span<const float> lower, std::span<const float> upper,
                     const BoundaryOptions& o) {
  if (inputs.shape.size() < 2 || inputs.rows() == 0)
    fail<UsageError>("boundary attack: inputs must be a non-empty batch, got shape {}",
                     shape_str(inputs.shape));
  const auto d = inputs.row_size();
  if (labels.size() != static_cast<std::size_t>(inputs.rows()))
    fail<UsageError>("boundary attack: {} labels for {} inputs", labels.size(), inputs.rows());
  if (lower.size() != d || upper.size() != d)
    fail<UsageError>("boundary attack: bounds have {}/{} values, one sample has {}", lower.size(),
                     upper.size(), d);
  for (std::size_t j = 0; j < d; ++j)
    if (!(lower[j] <= upper[j]))
      fail<UsageError>("boundary attack: lower bound {} > upper bound {} at element {}", lower[j],
                       upper[j], j);
  for (std::int64_t i = 0; i < inputs.rows(); ++i) {
    const auto row = inputs.row(i);
    for (std::size_t j = 0; j < d; ++j)
      if (row[j] < lower[j] || row[j] > upper[j])
        fail<UsageError>(
            "boundary attack: input {} element {} = {} lies outside its bounds [{}, {}]", i, j,
            row[j], lower[j], upper[j]);
  }
  if (o.steps < 0 || o.init_directions <= 0 || o.init_steps <= 0 || o.update_stats_every_k <= 0 ||
      o.spherical_stats_window <= 0 || o.step_stats_window <= 0 || !(o.spherical_step > 0) ||
      !(o.source_step > 0) || !(o.step_adaptation > 0) || o.max_queries < 0)
    fail<UsageError>("boundary attack: steps, windows and step sizes must be positive");
}

// The oracle as the attack uses it: rows in, "adversarial?" out, queries within the budget.
class Decisions {
 public:
  Decisions(Oracle& oracle, const Tensor& inputs, std::span<const std::int64_t> labels,
            std::int64_t max_queries)
      : oracle_(oracle), labels_(labels), max_queries_(max_queries), start_(oracle.queries()) {
    sample_shape_.assign(inputs.shape.begin() + 1, inputs.shape.end());
  }

  std::int64_t spent() const { return oracle_.queries() - start_; }
  bool affordable(std::size_t rows) const {
    return max_queries_ <= 0 || spent() + static_cast<std::int64_t>(rows) <= max_queries_;
  }
  // rows.size() / D rows; owner[k]: the input row whose label row k is judged against.
  std::vector<char> adversarial(std::vector<float> rows, std::span<const std::size_t> owner) {
    Shape shape{static_cast<std::int64_t>(owner.size())};
    shape.insert(shape.end(), sample_shape_.begin(), sample_shape_.end());
    const auto predicted = oracle_.labels(Tensor(std::move(shape), std::move(rows)));
    std::vector<char> adv(owner.size());
    for (std::size_t k = 0; k < owner.size(); ++k) adv[k] = predicted[k] != labels_[owner[k]];
    return adv;
  }

 private:
  Oracle& oracle_;
  std::span<const std::int64_t> labels_;
  Shape sample_shape_;
  std::int64_t max_queries_, start_;
};

}  // namespace

std::string_view to_string(BoundaryStatus s) {
  switch (s) {
    case BoundaryStatus::attacked:
      return "attacked";
    case BoundaryStatus::already_misclassified:
      return "already_misclassified";
    case BoundaryStatus::no_starting_point:
      return "no_starting_point";
  }
  return "?";
}

std::int64_t BoundaryResult::attacked() const {
  return std::ranges::count_if(samples,
                               [](const auto& s) { return s.status == BoundaryStatus::attacked; });
}
std::int64_t BoundaryResult::successes() const {
  return std::ranges::count_if(samples, [](const auto& s) { return s.success; });
}

float boundary_default_l2_budget(std::string_view dataset) {
  const float b = dataset_spec(dataset).boundary_l2_budget;  // the dataset's description
  if (b <= 0) fail<UsageError>("no default L2 budget for dataset '{}' (image datasets only)", dataset);
  return b;
}

BoundaryResult boundary_attack(Oracle& oracle, const Tensor& inputs,
                               std::span<const std::int64_t> labels, std::span<const float> lower,
                               std::span<const float> upper, const BoundaryOptions& opt,
                               const BoundaryTrace& trace) {
  check_arguments(inputs, labels, lower, upper, opt);
  const auto n = static_cast<std::size_t>(inputs.rows());
  const auto d = inputs.row_size();
  std::mt19937_64 rng(opt.seed);
  Decisions decide(oracle, inputs, labels, opt.max_queries);

  BoundaryResult res;
  res.adversarial = inputs;
  res.samples.resize(n);
  auto row = [&](std::vector<float>& buf, std::size_t k) {
    return std::span<float>(buf).subspan(k * d, d);
  };

  // 1. The clean inputs: those already misclassified are not attacked.
  std::vector<std::size_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = i;
  if (!decide.affordable(n)) {
    for (auto& s : res.samples) s = {BoundaryStatus::no_starting_point, false, false, INFINITY};
    res.query_budget_hit = true;
    return res;
  }
  const auto clean_adv = decide.adversarial(inputs.data, all);
  std::vector<std::size_t> pending;  // correctly classified, no adversarial noise yet
  for (std::size_t i = 0; i < n; ++i) {
    if (clean_adv[i])
      res.samples[i] = {BoundaryStatus::already_misclassified, false, false, 0.0f};
    else
      pending.push_back(i);
  }

  // 2. Uniform noise until adversarial (LinearSearchBlendedUniformNoiseAttack, directions).
  std::vector<float> noise(n * d);
  std::vector<char> has_noise(n, 0);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (int j = 0; j < opt.init_directions && !pending.empty(); ++j) {
    if (!decide.affordable(pending.size())) {
      res.query_budget_hit = true;
      break;
    }
    std::vector<float> draw(pending.size() * d);
    for (std::size_t k = 0; k < pending.size(); ++k)
      for (std::size_t e = 0; e < d; ++e)
        draw[k * d + e] = std::min(upper[e], lower[e] + (upper[e] - lower[e]) * unit(rng));
    const auto adv = decide.adversarial(draw, pending);
    std::vector<std::size_t> still;
    for (std::size_t k = 0; k < pending.size(); ++k) {
      if (!adv[k]) {
        still.push_back(pending[k]);
        continue;
      }
      std::copy_n(draw.begin() + static_cast<std::ptrdiff_t>(k * d), d,
                  noise.begin() + static_cast<std::ptrdiff_t>(pending[k] * d));
      has_noise[pending[k]] = 1;
    }
    pending = std::move(still);
  }
  for (auto i : pending)
    res.samples[i] = {BoundaryStatus::no_starting_point, false, false, INFINITY};

  // 3. Line search along the blend x0 -> noise: the smallest adversarial epsilon of
  //    linspace(0, 1, init_steps + 1); epsilon = 1 (the noise) is known to be adversarial.
  std::vector<std::size_t> active;  // attacked images, in input order
  for (std::size_t i = 0; i < n; ++i)
    if (has_noise[i]) active.push_back(i);
  const std::size_t a = active.size();
  std::vector<float> x0(a * d), best(a * d);
  for (std::size_t k = 0; k < a; ++k) {
    const auto src = inputs.row(static_cast<std::int64_t>(active[k]));
    std::copy(src.begin(), src.end(), row(x0, k).begin());
    std::copy_n(noise.begin() + static_cast<std::ptrdiff_t>(active[k] * d), d,
                row(best, k).begin());
  }
  std::vector<std::size_t> searching(a);  // positions in `active`
  for (std::size_t k = 0; k < a; ++k) searching[k] = k;
  for (int s = 1; s < opt.init_steps && !searching.empty(); ++s) {
    if (!decide.affordable(searching.size())) {
      res.query_budget_hit = true;
      break;
    }
    const auto eps = static_cast<float>(static_cast<double>(s) / opt.init_steps);
    std::vector<float> blend(searching.size() * d);
    std::vector<std::size_t> owner(searching.size());
    for (std::size_t q = 0; q < searching.size(); ++q) {
      const auto k = searching[q];
      owner[q] = active[k];
      const auto nz = std::span<const float>(noise).subspan(active[k] * d, d);
      auto out = row(blend, q);
      for (std::size_t e = 0; e < d; ++e) out[e] = (1 - eps) * x0[k * d + e] + eps * nz[e];
      clip(out, lower, upper);
    }
    const auto adv = decide.adversarial(blend, owner);
    std::vector<std::size_t> still;
    for (std::size_t q = 0; q < searching.size(); ++q) {
      if (adv[q])
        std::copy_n(blend.begin() + static_cast<std::ptrdiff_t>(q * d), d,
                    row(best, searching[q]).begin());
      else
        still.push_back(searching[q]);
    }
    searching = std::move(still);
  }

  // 4. The walk along the boundary.
  std::vector<float> spherical_steps(a, opt.spherical_step), source_steps(a, opt.source_step);
  StatsWindow spherical_stats(opt.spherical_stats_window, a), step_stats(opt.step_stats_window, a);
  std::vector<float> l2_now(n, NAN);
  std::vector<double> norms(a);
  for (std::size_t k = 0; k < a; ++k) {
    norms[k] = l2_diff(row(x0, k), row(best, k));
    l2_now[active[k]] = static_cast<float>(norms[k]);
  }
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<float> eta(d), cand(a * d), sph(a * d), u(d), dir(d), e_k(d);
  std::vector<std::size_t> owners(active);
  owners.insert(owners.end(), active.begin(), active.end());

  for (int step = 1; step <= opt.steps && a > 0; ++step) {
    std::vector<char> converged(a);
    for (std::size_t k = 0; k < a; ++k)
      converged[k] = source_steps[k] < opt.source_step_convergence;
    if (std::ranges::all_of(converged, [](char c) { return c != 0; })) {
      res.converged = true;
      break;
    }
    const bool check_spherical = step % opt.update_stats_every_k == 0;
    if (!decide.affordable(check_spherical ? 2 * a : a)) {
      res.query_budget_hit = true;
      break;
    }

    // One Gaussian direction for every image (Foolbox: "we can share this across the batch").
    for (auto& v : eta) v = gauss(rng);
    for (std::size_t k = 0; k < a; ++k) {
      const auto orig = row(x0, k), adv = row(best, k);
      const double norm = norms[k];
      double dot = 0;
      for (std::size_t e = 0; e < d; ++e) {
        u[e] = orig[e] - adv[e];  // unnormalised source direction
        dir[e] = static_cast<float>(u[e] / norm);
        dot += static_cast<double>(dir[e]) * eta[e];
      }
      double eta_norm2 = 0;  // eta made orthogonal to the source direction
      for (std::size_t e = 0; e < d; ++e) {
        e_k[e] = eta[e] - static_cast<float>(dot) * dir[e];
        eta_norm2 += static_cast<double>(e_k[e]) * e_k[e];
      }
      const auto scale = static_cast<float>(spherical_steps[k] * norm / std::sqrt(eta_norm2));
      // Onto the sphere around the original through the current point (Pythagoras).
      const float radius = std::sqrt(spherical_steps[k] * spherical_steps[k] + 1.0f);
      auto s = row(sph, k);
      for (std::size_t e = 0; e < d; ++e) s[e] = orig[e] + (e_k[e] * scale - u[e]) / radius;
      clip(s, lower, upper);
      // Then a source step towards the original, corrected for any distance off the sphere.
      const double new_norm = l2_diff(orig, s);
      auto c = row(cand, k);
      if (new_norm > 0) {
        const double len = std::max(source_steps[k] * norm + new_norm - norm, 0.0) / new_norm;
        for (std::size_t e = 0; e < d; ++e)
          c[e] = s[e] + static_cast<float>(len) * (orig[e] - s[e]);
      } else {
        std::copy(s.begin(), s.end(), c.begin());
      }
      clip(c, lower, upper);
    }

    std::vector<float> batch(cand);
    if (check_spherical) batch.insert(batch.end(), sph.begin(), sph.end());
    const auto adv = decide.adversarial(
        std::move(batch), std::span<const std::size_t>(owners).first(check_spherical ? 2 * a : a));
    const auto cand_adv = std::span<const char>(adv).first(a);

    for (std::size_t k = 0; k < a; ++k) {
      const double dist = l2_diff(row(x0, k), row(cand, k));
      // Closer by construction, but rounding may break it: the distance never grows.
      if (cand_adv[k] && dist < norms[k] && !converged[k]) {
        std::copy_n(cand.begin() + static_cast<std::ptrdiff_t>(k * d), d, row(best, k).begin());
        norms[k] = dist;
        l2_now[active[k]] = static_cast<float>(dist);
      }
    }

    if (check_spherical) {
      spherical_stats.append(std::span<const char>(adv).subspan(a, a));
      step_stats.append(cand_adv);
      for (std::size_t k = 0; k < a; ++k) {
        if (spherical_stats.full(k)) {
          const double p = spherical_stats.mean(k);
          if (p > 0.5) {  // too linear: larger steps
            spherical_steps[k] *= opt.step_adaptation;
            source_steps[k] *= opt.step_adaptation;
          } else if (p < 0.2) {  // too nonlinear: smaller steps
            spherical_steps[k] /= opt.step_adaptation;
            source_steps[k] /= opt.step_adaptation;
          }
          if (p > 0.5 || p < 0.2) spherical_stats.clear(k);
        }
        if (step_stats.full(k)) {
          const double p = step_stats.mean(k);
          if (p > 0.25)
            source_steps[k] *= opt.step_adaptation;
          else if (p < 0.1)
            source_steps[k] /= opt.step_adaptation;
          if (p > 0.25 || p < 0.1) step_stats.clear(k);
        }
      }
    }
    res.steps_run = step;
    if (trace) trace({step, decide.spent(), l2_now});
  }

  for (std::size_t k = 0; k < a; ++k) {
    const auto i = active[k];
    std::copy(row(best, k).begin(), row(best, k).end(),
              res.adversarial.data.begin() + static_cast<std::ptrdiff_t>(i * d));
    const auto l2 = static_cast<float>(norms[k]);
    res.samples[i] = {BoundaryStatus::attacked, true, l2 <= opt.l2_budget, l2};
  }
  res.queries = decide.spent();
  return res;
}

}  // namespace convbench
