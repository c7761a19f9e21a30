#pragma once
// `convbench check`: may I ship this converted model? An original and a converted model run on
// the same inputs in their runtime workers; their outputs, task metric, latency and size are
// judged against thresholds; a failure is diagnosed (diagnose.hpp) and, for ONNX, localised to
// the first diverging layer (localise.hpp). Optional fp16/int8 variants of an ONNX model are
// judged the same way, as extra candidates that do not change the verdict.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "check/compare.hpp"
#include "check/diagnose.hpp"
#include "check/inputs.hpp"
#include "check/localise.hpp"
#include "check/model_run.hpp"
#include "check/thresholds.hpp"
#include "runtime/registry.hpp"

namespace convbench {

struct CheckOptions {
  ModelRef original, converted;
  InputSpec inputs;
  Thresholds thresholds;
  std::int64_t batch_size = 100;
  int warmup_batches = 1;
  std::string task_output;  // the class-score output; empty: the first 2-D float output
  WorkerSettings workers;
  std::vector<std::string> variants;  // "fp16", "int8" (ONNX converted models only)
  bool diagnose = true;
  bool localise = true;
  int worst_k = 5;
  std::filesystem::path work_dir;  // variants, activation dumps, logs
};

struct Criterion {
  std::string name;  // "elementwise", "misclassification", "accuracy_drop", ...
  bool passed = true;
  double measured = 0, limit = 0;
  std::string detail;
};

// One output pair the elementwise rule compared.
struct OutputComparison {
  std::string original, converted;  // output names
  ElementwiseResult elementwise;
  // Set when the original's outputs are all far below atol (docs/check.md, "vacuous tolerance"):
  // both were divided by this, their largest magnitude, before the elementwise rule.
  std::optional<double> vacuous_scale;
};

struct CandidateReport {
  std::string label;  // "converted", "fp16 variant", "int8 variant"
  ModelRef model;
  std::string runtime;
  std::string error;  // set when it could not be run (variants only; the converted throws)
  std::uintmax_t size_bytes = 0;
  double inference_s = 0;
  std::optional<double> accuracy;
  ElementwiseResult elementwise;          // of the task output (the class scores)
  std::vector<OutputComparison> outputs;  // every output pair, in the original's order
  std::string outputs_matched_by;         // "name" or "position"
  std::string precision;                  // "fp16 (...)", "int8 quantised (...)"; "": float32
  double misclassification = 0;
  std::vector<Criterion> criteria;
  std::vector<Finding> findings;
  // What makes the verdict weak without failing it (the original answers every input alike).
  std::vector<std::string> warnings;
  std::optional<Localisation> localisation;
  bool passed() const;
};

struct CheckReport {
  ModelRef original;
  std::string original_runtime;
  std::string inputs;  // description
  std::int64_t samples = 0;
  Shape sample_shape;             // of the first input
  std::vector<std::string> feed;  // every input fed: "input_ids: int64 [256, 16]"
  std::string task_output;        // the original's output argmax/accuracy are judged on
  bool labelled = false;
  std::optional<double> original_accuracy;
  std::uintmax_t original_size_bytes = 0;
  double original_inference_s = 0;
  std::int64_t batch_size = 0;
  int threads = 0;
  double wall_s = 0;
  Thresholds thresholds;
  std::vector<CandidateReport> candidates;  // the converted model first, then variants
  bool passed() const { return !candidates.empty() && candidates.front().passed(); }
};

// UsageError/DataError/WorkerError for what prevents a verdict (exit 2).
CheckReport run_check(const CheckOptions& options);

// Resolves `--model-dir DIR --conversion onnx` through the zoo's manifest: the original and the
// named converted artefact. UsageError when the conversion is absent or failed.
void models_from_manifest(const std::filesystem::path& dir, const std::string& conversion,
                          CheckOptions& options);

}  // namespace convbench
