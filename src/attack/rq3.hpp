#pragma once
// RQ3 for one model instance: draw D (inputs the original and every runnable conversion classify
// correctly), attack the ORIGINAL in its own runtime worker, give the adversarial set D_syn to
// each conversion, and record success rates, label disagreement and output error
// (docs/robustness.md). A failing attack or runtime becomes a record with its cause; the other
// attacks and conversions go on.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "attack/fgsm.hpp"
#include "attack/robustness.hpp"
#include "eval/evaluate.hpp"

namespace convbench {

struct RobustnessOptions {
  std::int64_t inputs = 1000;  // |D| at most (fewer when fewer are correct)
  std::int64_t seed = 0;       // draws D; seeds every attack
  // Attacks to run; those that do not fit the model's modality are skipped (FGSM and Boundary:
  // images; genetic: text).
  std::vector<std::string> attacks{"fgsm"};
  std::string converted_runtime = "onnxruntime";  // which runtime runs a converted ONNX model
  std::map<std::string, double> fgsm_epsilon{{"mnist", 0.1}, {"cifar10", 8.0 / 255}};
  std::int64_t batch_size = 100;  // rows per worker call outside the attacks
  WorkerSettings workers;
};

// Attacks that apply to a dataset ("fgsm", "boundary" for images; "genetic" for text).
bool attack_applies(const std::string& attack, const std::string& dataset);

std::vector<AttackRecord> run_robustness(const EvalResult& eval, const RobustnessOptions& options);

}  // namespace convbench
