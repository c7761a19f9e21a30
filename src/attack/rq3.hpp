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

#include "attack/boundary.hpp"
#include "attack/fgsm.hpp"
#include "attack/genetic.hpp"
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
  // dataset -> FGSM epsilon; a dataset not listed takes its description's (data/catalogue.hpp).
  std::map<std::string, double> fgsm_epsilon;
  BoundaryOptions boundary;  // its l2_budget is replaced by boundary_l2_budget's entry
  std::map<std::string, float> boundary_l2_budget;  // dataset -> L2; default: the attack's
  GeneticOptions genetic;
  // Synonyms for the GA: an embedding file (GloVe / counter-fitted text format) when given,
  // else WordNet from `wordnet_dir`.
  std::filesystem::path embedding_file;
  double embedding_max_distance = 0.5;
  std::filesystem::path wordnet_dir = "/usr/share/wordnet";
  std::int64_t batch_size = 100;  // rows per worker call outside the attacks
  WorkerSettings workers;
  std::string label;  // for the log ("lenet5/keras/r0"); default: model/framework
};

// Attacks that apply to a dataset ("fgsm", "boundary" for images; "genetic" for text).
bool attack_applies(const std::string& attack, const std::string& dataset);

std::vector<AttackRecord> run_robustness(const EvalResult& eval, const RobustnessOptions& options);

}  // namespace convbench
