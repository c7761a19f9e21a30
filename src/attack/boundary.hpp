#pragma once
// The Boundary attack (Brendel, Rauber, Bethge 2018): a decision-based, untargeted attack that
// only needs the predicted label. It starts from an adversarial point (uniform noise blended into
// the input with a line search) and walks along the decision boundary towards the input with
// orthogonal (spherical) and source steps, adapting both step sizes from success statistics.
// It follows Foolbox 3.3.4's BoundaryAttack and LinearSearchBlendedUniformNoiseAttack step for
// step; every difference is listed in boundary.cpp and docs/attacks-boundary.md.
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "attack/oracle.hpp"
#include "core/tensor.hpp"

namespace convbench {

struct BoundaryOptions {
  int steps = 25000;  // Foolbox's default; the study's presets use far fewer
  float spherical_step = 1e-2f;
  float source_step = 1e-2f;
  float source_step_convergence = 1e-7f;  // Foolbox spells it "convergance"
  float step_adaptation = 1.5f;
  int update_stats_every_k = 10;
  int spherical_stats_window = 100;  // Foolbox's ArrayQueue(maxlen=100)
  int step_stats_window = 30;        // Foolbox's ArrayQueue(maxlen=30)
  // Starting point: LinearSearchBlendedUniformNoiseAttack(directions=1000, steps=50), as Foolbox's
  // BoundaryAttack builds it.
  int init_directions = 1000;  // uniform-noise draws tried per image
  int init_steps = 50;         // blending line search: epsilons linspace(0, 1, init_steps + 1)
  // An example counts as a success only if adversarial AND its L2 distance <= l2_budget
  // (boundary_default_l2_budget gives the documented per-dataset defaults).
  float l2_budget = std::numeric_limits<float>::infinity();
  // Stop before a step (or an initialisation round) whose queries would exceed this; 0 = no limit.
  std::int64_t max_queries = 0;
  std::uint64_t seed = 0;
};

enum class BoundaryStatus {
  attacked,               // a starting point was found; the attack ran
  already_misclassified,  // the model gets the clean input wrong: not attacked
  no_starting_point,      // no adversarial noise found (or the query budget ran out first)
};
std::string_view to_string(BoundaryStatus s);

struct BoundarySample {
  BoundaryStatus status = BoundaryStatus::attacked;
  bool adversarial = false;  // the returned row is misclassified (only ever true when attacked)
  bool success = false;      // adversarial && l2 <= l2_budget
  // L2 distance of the returned row to the input: 0 when not attacked and already misclassified,
  // +infinity when no starting point was found.
  float l2 = 0;
};

struct BoundaryResult {
  Tensor adversarial;  // same shape as the input; rows not attacked are the input rows
  std::vector<BoundarySample> samples;
  std::int64_t queries = 0;  // rows sent to the oracle by this attack (initialisation included)
  int steps_run = 0;         // main-loop steps completed
  bool query_budget_hit = false;
  bool converged = false;  // every attacked sample's source step fell below the threshold

  std::int64_t attacked() const;
  std::int64_t successes() const;
};

// Seen after every main-loop step (for tests and progress): `l2` has one entry per input row,
// the current best distance (NaN for rows not attacked).
struct BoundaryStepInfo {
  int step = 0;
  std::int64_t queries = 0;
  std::span<const float> l2;
};
using BoundaryTrace = std::function<void(const BoundaryStepInfo&)>;

// `inputs`: N samples (leading axis); `labels`: their true classes. `lower`/`upper`: the valid
// input domain of ONE sample, element-wise (row_size() values each). Every returned row lies
// inside it. Throws UsageError on inconsistent arguments.
BoundaryResult boundary_attack(Oracle& oracle, const Tensor& inputs,
                               std::span<const std::int64_t> labels, std::span<const float> lower,
                               std::span<const float> upper, const BoundaryOptions& options,
                               const BoundaryTrace& trace = {});

// The documented default L2 budget for a dataset's preprocessed inputs ("mnist", "cifar10");
// UsageError for any other dataset.
float boundary_default_l2_budget(std::string_view dataset);

}  // namespace convbench
