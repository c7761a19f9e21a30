#pragma once
// A study: models x frameworks x replicates, each cell trained by the zoo, converted, and
// evaluated in the runtime workers. Read from a TOML file (config/study/*.toml, the presets).
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "attack/rq3.hpp"
#include "core/zoo_python.hpp"  // repo_root()

namespace convbench {

struct ModelPlan {
  std::string model;                       // "lenet5", "resnet18", ...
  std::string dataset;                     // from config/models.toml
  std::string hparams;                     // the model's config/models.toml table, as TOML
  std::optional<int> epochs;               // unset: the model's default in config/models.toml
  std::int64_t train_subset = 0;           // 0 = all training samples
  std::int64_t val_subset = 0;             // 0 = the whole test split for per-epoch validation
  std::int64_t test_limit = 0;             // samples evaluated; 0 = all
  std::optional<std::int64_t> rq3_inputs;  // overrides robustness.inputs; 0 = no RQ3
  std::optional<int> rq3_boundary_steps;   // overrides robustness.boundary.steps
};

struct DatasetOptions {
  std::int64_t vocab_size = 10000;  // text datasets
  std::int64_t seq_len = 200;
};

struct StudyConfig {
  std::string name;
  std::string description;
  std::filesystem::path source;  // the file it was read from
  int replicates = 1;
  std::int64_t seed = 0;  // replicate r trains with seed + r
  std::vector<std::string> frameworks{"keras", "pytorch"};
  int jobs = 1;  // cells trained at once; evaluation always runs one cell at a time
  std::vector<ModelPlan> models;
  std::map<std::string, DatasetOptions> datasets;
  // eval
  std::int64_t batch_size = 100;
  int warmup = 2;
  int threads = 0;
  std::vector<std::string> runtimes;
  double timeout_s = 600;
  // RQ3 ([robustness]); unset: no attacks. Its `workers` are filled in by the study.
  std::optional<RobustnessOptions> robustness;
};

// Throws UsageError naming the file and key on anything missing or malformed.
StudyConfig read_study_config(const std::filesystem::path& file,
                              const std::filesystem::path& models_toml);

// SHA-256 of everything in the config that a cell's results depend on (config/models.toml's
// hyperparameters of its models included; not name, description or jobs). Stored with the
// study and with every cell, so that a resumed study can refuse to mix settings.
std::string config_hash(const StudyConfig& config);

// config/study/<preset>.toml under the repository root.
std::filesystem::path preset_path(const std::filesystem::path& repo_root,
                                  const std::string& preset);

}  // namespace convbench
