#pragma once
// The study's results store: one SQLite file. A cell's results are written in one transaction
// together with its "done" mark, so a study killed at any point leaves either a complete cell
// or none, and a re-run skips exactly the complete ones. Every table row is traceable to a
// cell, the cell to its manifest (versions, hyperparameters) and the study's config.
#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attack/robustness.hpp"
#include "eval/evaluate.hpp"

namespace convbench {

struct CellKey {
  std::string model, framework;
  int replicate = 0;
  std::string id() const;  // "lenet5/keras/r0"
};

enum class CellStatus { done, failed };

struct CellRecord {
  CellKey key;
  std::int64_t seed = 0;
  CellStatus status = CellStatus::done;
  std::string error;
  double train_wall_s = 0, eval_wall_s = 0;
  // Stored per cell, so that readers never decide "text model" from a model's name. Stores made
  // before these columns: the dataset from the cell's manifest, the modality from the dataset's
  // description (data/catalogue.hpp); empty where neither is known.
  std::string dataset = {}, modality = {};
  std::string config_hash = {};  // of the study config the cell was made with (study_config.hpp)
};

// One result row as stored (what the tables read back).
struct StoredResult {
  std::string cell, model, framework, dataset, modality, role, worker, status, error;
  int replicate = 0;
  std::optional<double> size_bytes, load_s, inference_s, accuracy, abs_err_mean, rel_err_mean,
      misclassification, peak_rss_bytes, latency_p50;
};

struct HistoryRow {
  std::string model, framework;
  int replicate = 0, epoch = 0;
  double loss = 0, accuracy = 0, val_loss = 0, val_accuracy = 0;
};

// What the schema holds: 2 = cells.dataset/modality/config_hash and meta.schema_version.
constexpr int kStoreSchemaVersion = 2;

// read_only: tables and report; the file is never modified (no migration, no journal), and a
// file that is not a convbench store (foreign SQLite, empty, not SQLite) is a DataError.
// read_write: a study; creates the store, or migrates an older one.
enum class StoreAccess { read_only, read_write };

class ResultsStore {
 public:
  ResultsStore(const std::filesystem::path& file, StoreAccess access);
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  void set_meta(const std::string& key, const std::string& value);
  std::optional<std::string> meta(const std::string& key);

  std::optional<CellStatus> cell_status(const CellKey& key);
  // Replaces everything stored for the cell (eval results, history, RQ3 attacks), atomically.
  void save_cell(const CellRecord& cell, const EvalResult* eval,
                 std::span<const AttackRecord> attacks = {});

  std::vector<StoredResult> results();
  std::vector<HistoryRow> history();
  std::vector<StoredAttack> attacks();  // of done cells
  std::vector<CellRecord> cells();

  const std::filesystem::path& path() const { return path_; }

 private:
  void validate();
  bool has_column(const std::string& table, const std::string& column);
  std::string cell_dataset_sql();
  std::string cell_modality_sql();

  std::filesystem::path path_;
  SQLite::Database db_;
};

}  // namespace convbench
