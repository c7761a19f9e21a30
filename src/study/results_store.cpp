#include "study/results_store.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <charconv>

#include "core/error.hpp"
#include "data/catalogue.hpp"

namespace convbench {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cells(
  cell TEXT PRIMARY KEY, model TEXT NOT NULL, framework TEXT NOT NULL, replicate INTEGER NOT NULL,
  seed INTEGER NOT NULL, status TEXT NOT NULL, error TEXT, train_wall_s REAL, eval_wall_s REAL,
  finished_at TEXT NOT NULL DEFAULT (datetime('now')), manifest TEXT, dataset TEXT, modality TEXT,
  config_hash TEXT);
CREATE TABLE IF NOT EXISTS results(
  cell TEXT NOT NULL, role TEXT NOT NULL, worker TEXT NOT NULL, format TEXT, status TEXT NOT NULL,
  error TEXT, runtime TEXT, samples INTEGER, size_bytes REAL, load_s REAL, inference_s REAL,
  inference_wall_s REAL, latency_p50 REAL, latency_p95 REAL, latency_p99 REAL,
  peak_rss_bytes REAL, accuracy REAL, abs_err_mean REAL, abs_err_std REAL, rel_err_mean REAL,
  rel_err_std REAL, max_abs_element REAL, misclassification REAL, json TEXT NOT NULL,
  PRIMARY KEY(cell, role, worker));
CREATE TABLE IF NOT EXISTS history(
  cell TEXT NOT NULL, epoch INTEGER NOT NULL, loss REAL, accuracy REAL, val_loss REAL,
  val_accuracy REAL, PRIMARY KEY(cell, epoch));
CREATE TABLE IF NOT EXISTS attacks(
  cell TEXT NOT NULL, attack TEXT NOT NULL, role TEXT NOT NULL, worker TEXT NOT NULL,
  status TEXT NOT NULL, error TEXT, inputs INTEGER, attacked INTEGER, success_original REAL,
  success_converted REAL, misclassification REAL, abs_err_mean REAL, abs_err_std REAL,
  median_perturbation REAL, queries INTEGER, attack_wall_s REAL, params TEXT NOT NULL,
  PRIMARY KEY(cell, attack, role));
)sql";

template <typename T>
void bind_opt(SQLite::Statement& s, int i, const std::optional<T>& v) {
  if (v)
    s.bind(i, static_cast<double>(*v));
  else
    s.bind(i);
}

std::optional<double> col_opt(SQLite::Statement& s, int i) {
  if (s.getColumn(i).isNull()) return std::nullopt;
  return s.getColumn(i).getDouble();
}

}  // namespace

std::string CellKey::id() const { return fmt::format("{}/{}/r{}", model, framework, replicate); }

namespace {

// Columns every reader relies on; a file without them is not a convbench store (or a damaged one).
constexpr std::pair<const char*, const char*> kRequired[] = {
    {"meta", "key"},        {"meta", "value"},      {"cells", "cell"},     {"cells", "model"},
    {"cells", "framework"}, {"cells", "replicate"}, {"cells", "status"},   {"cells", "manifest"},
    {"results", "cell"},    {"results", "role"},    {"results", "worker"}, {"results", "status"},
    {"results", "json"},    {"history", "cell"},    {"history", "epoch"},  {"attacks", "cell"},
    {"attacks", "attack"},  {"attacks", "params"},
};

SQLite::Database open_db(const std::filesystem::path& file, StoreAccess access) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (access == StoreAccess::read_only) {
    if (!fs::exists(file, ec)) fail<UsageError>("{}: no such results store", file.string());
    if (!fs::is_regular_file(file, ec))
      fail<UsageError>("{}: not a file (give the study's results.sqlite)", file.string());
  } else if (file.has_parent_path()) {
    fs::create_directories(file.parent_path(), ec);
    if (ec) fail("{}: cannot create its directory: {}", file.string(), ec.message());
  }
  try {
    return SQLite::Database(file.string(), access == StoreAccess::read_only
                                               ? SQLite::OPEN_READONLY
                                               : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  } catch (const SQLite::Exception& e) {
    fail<DataError>("{}: cannot open the results store: {}", file.string(), e.what());
  }
}

}  // namespace

ResultsStore::ResultsStore(const std::filesystem::path& file, StoreAccess access)
    : path_(file), db_(open_db(file, access)) {
  try {
    db_.setBusyTimeout(10000);
    // Reading the schema is the first read: a file that is not SQLite fails here.
    const int tables = db_.execAndGet("SELECT count(*) FROM sqlite_master").getInt();
    if (tables == 0 && access == StoreAccess::read_only)
      fail<DataError>("{}: not a convbench results store (an empty database)", file.string());
    if (tables > 0) validate();
    if (access == StoreAccess::read_write) {
      // A rollback journal, not WAL: the store stays one self-contained file that a read-only
      // open can read without creating -wal/-shm files beside it. Stores from before: converted.
      if (db_.execAndGet("PRAGMA journal_mode").getString() == "wal")
        db_.exec("PRAGMA journal_mode=DELETE");
      // Written only when needed, so that a study that then refuses to resume (another config)
      // leaves the file as it was.
      if (tables == 0 || meta("schema_version") != std::to_string(kStoreSchemaVersion)) {
        SQLite::Transaction tx(db_);
        db_.exec(kSchema);
        // A store made before these columns gets them now; readers of old stores fall back.
        for (const char* col : {"dataset", "modality", "config_hash"})
          if (!has_column("cells", col))
            db_.exec(fmt::format("ALTER TABLE cells ADD COLUMN {} TEXT", col));
        set_meta("schema_version", std::to_string(kStoreSchemaVersion));
        tx.commit();
      }
    }
  } catch (const SQLite::Exception& e) {
    fail<DataError>("{}: not a convbench results store: {}", file.string(), e.what());
  }
}

void ResultsStore::validate() {
  for (const auto& [table, col] : kRequired)
    if (!has_column(table, col))
      fail<DataError>(
          "{}: not a convbench results store (no table '{}' with column '{}'); give the "
          "results.sqlite a study wrote",
          path_.string(), table, col);
  if (const auto v = meta("schema_version")) {
    int version = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), version);
    if (ec != std::errc() || end != v->data() + v->size() || version < 1)
      fail<DataError>("{}: bad schema_version '{}' in its meta table", path_.string(), *v);
    if (version > kStoreSchemaVersion)
      fail<DataError>("{}: made by a newer convbench (store schema {}, this build reads up to {})",
                      path_.string(), version, kStoreSchemaVersion);
  }
}

bool ResultsStore::has_column(const std::string& table, const std::string& column) {
  SQLite::Statement s(db_,
                      fmt::format("SELECT 1 FROM pragma_table_info('{}') WHERE name = ?", table));
  s.bind(1, column);
  return s.executeStep();
}

// The dataset and modality of a cell as SQL over `cells c`: the columns, else (older stores) the
// dataset recorded in the cell's manifest.
std::string ResultsStore::cell_dataset_sql() {
  return has_column("cells", "dataset")
             ? "COALESCE(c.dataset, json_extract(c.manifest, '$.dataset'), '')"
             : "COALESCE(json_extract(c.manifest, '$.dataset'), '')";
}
std::string ResultsStore::cell_modality_sql() {
  return has_column("cells", "modality") ? "COALESCE(c.modality, '')" : "''";
}

namespace {
// A stored modality, or the one the dataset's description gives (stores before the column).
std::string modality_of(const std::string& stored, const std::string& dataset) {
  if (!stored.empty() || dataset.empty()) return stored;
  for (const auto& known : dataset_names())
    if (known == dataset) return std::string(to_string(dataset_spec(dataset).modality));
  return "";
}
}  // namespace

void ResultsStore::set_meta(const std::string& key, const std::string& value) {
  SQLite::Statement s(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
  s.bind(1, key);
  s.bind(2, value);
  s.exec();
}

std::optional<std::string> ResultsStore::meta(const std::string& key) {
  SQLite::Statement s(db_, "SELECT value FROM meta WHERE key = ?");
  s.bind(1, key);
  if (!s.executeStep()) return std::nullopt;
  return s.getColumn(0).getString();
}

std::optional<CellStatus> ResultsStore::cell_status(const CellKey& key) {
  SQLite::Statement s(db_, "SELECT status FROM cells WHERE cell = ?");
  s.bind(1, key.id());
  if (!s.executeStep()) return std::nullopt;
  return s.getColumn(0).getString() == "done" ? CellStatus::done : CellStatus::failed;
}

void ResultsStore::save_cell(const CellRecord& c, const EvalResult* eval,
                             std::span<const AttackRecord> attacks) {
  const std::string id = c.key.id();
  SQLite::Transaction tx(db_);
  for (const char* table : {"results", "history", "attacks", "cells"}) {
    SQLite::Statement del(db_, fmt::format("DELETE FROM {} WHERE cell = ?", table));
    del.bind(1, id);
    del.exec();
  }
  SQLite::Statement cell(
      db_,
      "INSERT INTO cells(cell, model, framework, replicate, seed, status, error, "
      "train_wall_s, eval_wall_s, manifest, dataset, modality, config_hash) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
  cell.bind(1, id);
  cell.bind(2, c.key.model);
  cell.bind(3, c.key.framework);
  cell.bind(4, c.key.replicate);
  cell.bind(5, static_cast<std::int64_t>(c.seed));
  cell.bind(6, c.status == CellStatus::done ? "done" : "failed");
  if (c.error.empty())
    cell.bind(7);
  else
    cell.bind(7, c.error);
  cell.bind(8, c.train_wall_s);
  cell.bind(9, c.eval_wall_s);
  if (eval != nullptr)
    cell.bind(10, eval->manifest.raw.dump());
  else
    cell.bind(10);
  const std::string dataset = !c.dataset.empty() ? c.dataset : eval ? eval->manifest.dataset : "";
  const std::string modality = modality_of(c.modality, dataset);
  if (dataset.empty())
    cell.bind(11);
  else
    cell.bind(11, dataset);
  if (modality.empty())
    cell.bind(12);
  else
    cell.bind(12, modality);
  if (c.config_hash.empty())
    cell.bind(13);
  else
    cell.bind(13, c.config_hash);
  cell.exec();

  if (eval != nullptr) {
    const nlohmann::json j = to_json(*eval);
    SQLite::Statement ins(
        db_,
        "INSERT INTO results(cell, role, worker, format, status, error, runtime, samples, "
        "size_bytes, load_s, inference_s, inference_wall_s, latency_p50, latency_p95, latency_p99, "
        "peak_rss_bytes, accuracy, abs_err_mean, abs_err_std, rel_err_mean, rel_err_std, "
        "max_abs_element, misclassification, json) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (std::size_t i = 0; i < eval->artefacts.size(); ++i) {
      const auto& a = eval->artefacts[i];
      ins.reset();
      ins.clearBindings();
      ins.bind(1, id);
      ins.bind(2, a.artefact.role);
      ins.bind(3, a.worker);
      ins.bind(4, a.artefact.format);
      ins.bind(5, std::string(to_string(a.status)));
      if (a.error.empty())
        ins.bind(6);
      else
        ins.bind(6, a.error);
      ins.bind(7, a.runtime);
      ins.bind(8, static_cast<std::int64_t>(eval->samples));
      bind_opt(ins, 9, a.size_bytes);
      bind_opt(ins, 10, a.load_s);
      bind_opt(ins, 11, a.inference_s);
      bind_opt(ins, 12, a.inference_wall_s);
      const auto lat = [&](double LatencyStats::*m) {
        return a.latency ? std::optional<double>((*a.latency).*m) : std::nullopt;
      };
      bind_opt(ins, 13, lat(&LatencyStats::p50));
      bind_opt(ins, 14, lat(&LatencyStats::p95));
      bind_opt(ins, 15, lat(&LatencyStats::p99));
      bind_opt(ins, 16, a.peak_rss_bytes);
      bind_opt(ins, 17, a.accuracy);
      const auto fid = [&](auto get) {
        return a.fidelity ? std::optional<double>(get(*a.fidelity)) : std::nullopt;
      };
      bind_opt(ins, 18, fid([](const Fidelity& f) { return f.abs_error.mean; }));
      bind_opt(ins, 19, fid([](const Fidelity& f) { return f.abs_error.std; }));
      bind_opt(ins, 20, fid([](const Fidelity& f) { return f.rel_error.mean; }));
      bind_opt(ins, 21, fid([](const Fidelity& f) { return f.rel_error.std; }));
      bind_opt(ins, 22, fid([](const Fidelity& f) { return f.max_abs_element; }));
      bind_opt(ins, 23, fid([](const Fidelity& f) { return f.misclassification; }));
      ins.bind(24, j["artefacts"][i].dump());
      ins.exec();
    }
    const auto& hist = eval->manifest.raw["training"]["history"];
    if (hist.is_array()) {
      SQLite::Statement h(
          db_,
          "INSERT INTO history(cell, epoch, loss, accuracy, val_loss, val_accuracy) "
          "VALUES(?,?,?,?,?,?)");
      for (const auto& e : hist) {
        h.reset();
        h.bind(1, id);
        h.bind(2, e.value("epoch", 0));
        h.bind(3, e.value("loss", 0.0));
        h.bind(4, e.value("accuracy", 0.0));
        h.bind(5, e.value("val_loss", 0.0));
        h.bind(6, e.value("val_accuracy", 0.0));
        h.exec();
      }
    }
  }
  SQLite::Statement att(db_,
                        "INSERT INTO attacks(cell, attack, role, worker, status, error, inputs, "
                        "attacked, success_original, success_converted, misclassification, "
                        "abs_err_mean, abs_err_std, median_perturbation, queries, attack_wall_s, "
                        "params) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (const auto& a : attacks) {
    att.reset();
    att.clearBindings();
    att.bind(1, id);
    att.bind(2, a.attack);
    att.bind(3, a.role);
    att.bind(4, a.worker);
    att.bind(5, a.status);
    if (a.error.empty())
      att.bind(6);
    else
      att.bind(6, a.error);
    att.bind(7, static_cast<std::int64_t>(a.inputs));
    att.bind(8, static_cast<std::int64_t>(a.attacked));
    bind_opt(att, 9, a.success_original);
    bind_opt(att, 10, a.success_converted);
    bind_opt(att, 11, a.misclassification);
    bind_opt(att, 12, a.abs_err_mean);
    bind_opt(att, 13, a.abs_err_std);
    bind_opt(att, 14, a.median_perturbation);
    att.bind(15, static_cast<std::int64_t>(a.queries));
    att.bind(16, a.attack_wall_s);
    att.bind(17, a.params.dump());
    att.exec();
  }
  tx.commit();
}

std::vector<StoredAttack> ResultsStore::attacks() {
  SQLite::Statement s(
      db_,
      "SELECT a.cell, c.model, c.framework, c.replicate, a.attack, a.role, a.worker, a.status, "
      "a.error, a.inputs, a.attacked, a.success_original, a.success_converted, "
      "a.misclassification, a.abs_err_mean, a.abs_err_std, a.median_perturbation, a.queries, "
      "a.attack_wall_s, a.params, " +
          cell_dataset_sql() + ", " + cell_modality_sql() +
          " FROM attacks a JOIN cells c ON c.cell = a.cell "
          "WHERE c.status = 'done' ORDER BY a.cell, a.attack, a.role");
  std::vector<StoredAttack> out;
  while (s.executeStep()) {
    StoredAttack a;
    a.cell = s.getColumn(0).getString();
    a.model = s.getColumn(1).getString();
    a.framework = s.getColumn(2).getString();
    a.replicate = s.getColumn(3).getInt();
    a.attack = s.getColumn(4).getString();
    a.role = s.getColumn(5).getString();
    a.worker = s.getColumn(6).getString();
    a.status = s.getColumn(7).getString();
    a.error = s.getColumn(8).isNull() ? "" : s.getColumn(8).getString();
    a.inputs = s.getColumn(9).getInt64();
    a.attacked = s.getColumn(10).getInt64();
    a.success_original = col_opt(s, 11);
    a.success_converted = col_opt(s, 12);
    a.misclassification = col_opt(s, 13);
    a.abs_err_mean = col_opt(s, 14);
    a.abs_err_std = col_opt(s, 15);
    a.median_perturbation = col_opt(s, 16);
    a.queries = s.getColumn(17).getInt64();
    a.attack_wall_s = s.getColumn(18).getDouble();
    a.params = nlohmann::json::parse(s.getColumn(19).getString());
    a.dataset = s.getColumn(20).getString();
    a.modality = modality_of(s.getColumn(21).getString(), a.dataset);
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<StoredResult> ResultsStore::results() {
  SQLite::Statement s(
      db_,
      "SELECT r.cell, c.model, c.framework, c.replicate, r.role, r.worker, r.status, "
      "r.error, r.size_bytes, r.load_s, r.inference_s, r.accuracy, r.abs_err_mean, "
      "r.rel_err_mean, r.misclassification, r.peak_rss_bytes, r.latency_p50, " +
          cell_dataset_sql() + ", " + cell_modality_sql() +
          " FROM results r JOIN cells c ON c.cell = r.cell WHERE c.status = 'done' "
          "ORDER BY r.cell, r.role, r.worker");
  std::vector<StoredResult> out;
  while (s.executeStep()) {
    StoredResult r;
    r.cell = s.getColumn(0).getString();
    r.model = s.getColumn(1).getString();
    r.framework = s.getColumn(2).getString();
    r.replicate = s.getColumn(3).getInt();
    r.role = s.getColumn(4).getString();
    r.worker = s.getColumn(5).getString();
    r.status = s.getColumn(6).getString();
    r.error = s.getColumn(7).isNull() ? "" : s.getColumn(7).getString();
    r.size_bytes = col_opt(s, 8);
    r.load_s = col_opt(s, 9);
    r.inference_s = col_opt(s, 10);
    r.accuracy = col_opt(s, 11);
    r.abs_err_mean = col_opt(s, 12);
    r.rel_err_mean = col_opt(s, 13);
    r.misclassification = col_opt(s, 14);
    r.peak_rss_bytes = col_opt(s, 15);
    r.latency_p50 = col_opt(s, 16);
    r.dataset = s.getColumn(17).getString();
    r.modality = modality_of(s.getColumn(18).getString(), r.dataset);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<HistoryRow> ResultsStore::history() {
  SQLite::Statement s(db_,
                      "SELECT c.model, c.framework, c.replicate, h.epoch, h.loss, h.accuracy, "
                      "h.val_loss, h.val_accuracy FROM history h JOIN cells c ON c.cell = h.cell "
                      "ORDER BY c.model, c.framework, c.replicate, h.epoch");
  std::vector<HistoryRow> out;
  while (s.executeStep())
    out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getInt(),
                   s.getColumn(3).getInt(), s.getColumn(4).getDouble(), s.getColumn(5).getDouble(),
                   s.getColumn(6).getDouble(), s.getColumn(7).getDouble()});
  return out;
}

std::vector<CellRecord> ResultsStore::cells() {
  SQLite::Statement s(db_,
                      "SELECT c.model, c.framework, c.replicate, c.seed, c.status, c.error, "
                      "c.train_wall_s, c.eval_wall_s, " +
                          cell_dataset_sql() + ", " + cell_modality_sql() +
                          " FROM cells c ORDER BY c.cell");
  std::vector<CellRecord> out;
  while (s.executeStep()) {
    CellRecord c;
    c.key = {s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getInt()};
    c.seed = s.getColumn(3).getInt64();
    c.status = s.getColumn(4).getString() == "done" ? CellStatus::done : CellStatus::failed;
    c.error = s.getColumn(5).isNull() ? "" : s.getColumn(5).getString();
    c.train_wall_s = s.getColumn(6).getDouble();
    c.eval_wall_s = s.getColumn(7).getDouble();
    c.dataset = s.getColumn(8).getString();
    c.modality = modality_of(s.getColumn(9).getString(), c.dataset);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace convbench
