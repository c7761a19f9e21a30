#pragma once
// `convbench study`: runs the matrix models x frameworks x replicates of a StudyConfig. Each
// cell: the zoo trains and converts (child process), then every artefact is evaluated in its
// runtime workers, and the cell's results are stored atomically. Resumable: a re-run skips
// stored cells, and reuses a model directory the zoo completed before the interruption.
#include <filesystem>
#include <optional>
#include <string>

#include "study/results_store.hpp"
#include "study/study_config.hpp"

namespace convbench {

struct StudyOptions {
  std::filesystem::path out_dir;    // results.sqlite, study.log, models/, logs/, tables/
  std::filesystem::path data_root;  // dataset cache: <data_root>/<dataset>, <dataset>-npy
  std::optional<std::filesystem::path> mirror;  // local copy of the official dataset files
  bool fetch =
      true;  // false: <data_root>/<dataset> already holds the files (not checksum-verified)
  bool retry_failed = false;
  // Resume a store made with another config anyway (the change is recorded in the store).
  bool force_config = false;
  std::optional<int> jobs;  // overrides the config
};

struct StudySummary {
  int cells = 0, skipped = 0, done = 0, failed = 0;
  double wall_s = 0;
};

StudySummary run_study(const StudyConfig& config, const StudyOptions& options);

}  // namespace convbench
