#pragma once
// RQ3 results: what one attack did to one model instance and one of its conversions, and the
// paper's robustness indicator R (Eq. 4) over many of them.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace convbench {

// One attack x one converted artefact of one model instance. The attack runs against the
// ORIGINAL on D (inputs both models classify correctly); its outputs D_syn (one per input of
// D that was attacked) are then given to the converted model. Shares are of `attacked`.
struct AttackRecord {
  std::string attack;         // "fgsm" | "boundary" | "genetic"
  std::string role;           // the converted artefact: "onnx" | "coreml"
  std::string worker;         // the runtime it ran in ("onnxruntime"); empty when none could
  std::string status = "ok";  // ok | not_runnable | conversion_failed | failed
  std::string error;
  std::int64_t inputs = 0;    // |D|
  std::int64_t attacked = 0;  // inputs the attack applies to (GA: 10-100 words); = |D_syn|
  std::optional<double> success_original;   // share of D_syn the original misclassifies
  std::optional<double> success_converted;  // share of D_syn the converted misclassifies
  std::optional<double> misclassification;  // share of D_syn labelled differently by the two
  std::optional<double> abs_err_mean, abs_err_std;  // |y_c - y_o| on D_syn (mean over elements)
  std::optional<double> median_perturbation;        // successful on the original: L2 (images) or
                                                    // share of words modified (text)
  std::int64_t queries = 0;  // rows predicted + rows differentiated (original)
  double attack_wall_s = 0;  // the attack itself, on the original
  nlohmann::json params = nlohmann::json::object();  // budget and options as used
};

// A record with where it came from, as the results store returns it.
struct StoredAttack : AttackRecord {
  std::string cell, model, framework, dataset, modality;
  int replicate = 0;
};

// Eq. 4 of the paper. For each attack A, d = |S_converted - S_original| of every record of A that
// has both rates (one per model instance x conversion, over every model in `records`); P = (d -
// min d) / (max d - min d), 0 when max = min. Returns, per record (same order), the P of its own
// attack, or nullopt where it has no rates. R of a (model instance, conversion) is the sum of its
// records' P over the attacks (robustness_indicator_sum).
std::vector<std::optional<double>> normalised_success_change(std::span<const StoredAttack> records);

struct RobustnessIndicator {
  std::string cell, model, framework, role;
  int replicate = 0;
  double r = 0;
  int attacks = 0;  // how many attacks' P entered the sum
};
std::vector<RobustnessIndicator> robustness_indicator(std::span<const StoredAttack> records);

}  // namespace convbench
