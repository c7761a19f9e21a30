#include <SQLiteCpp/Database.h>

#include <fstream>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "report/tables.hpp"
#include "study/progress.hpp"
#include "study/results_store.hpp"
#include "study/study_config.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

class StudyTest : public testing::TempDirTest {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  std::filesystem::path models() {
    return write("models.toml", "[lenet5]\ndataset = \"mnist\"\n[gru]\ndataset = \"imdb\"\n");
  }
};

TEST_F(StudyTest, ConfigReadsPlansAndDatasetsFromModelsFile) {
  const auto f = write("s.toml", R"(
name = "t"
replicates = 3
seed = 7
frameworks = ["pytorch"]
[eval]
batch_size = 32
runtimes = ["onnxruntime"]
[models.lenet5]
epochs = 2
train_subset = 100
[models.gru]
test_limit = 50
[datasets.imdb]
seq_len = 64
)");
  const StudyConfig c = read_study_config(f, models());
  EXPECT_EQ(c.name, "t");
  EXPECT_EQ(c.replicates, 3);
  EXPECT_EQ(c.seed, 7);
  EXPECT_EQ(c.frameworks, (std::vector<std::string>{"pytorch"}));
  EXPECT_EQ(c.batch_size, 32);
  EXPECT_EQ(c.runtimes, (std::vector<std::string>{"onnxruntime"}));
  ASSERT_EQ(c.models.size(), 2U);
  EXPECT_EQ(c.models[0].model, "gru");  // TOML tables iterate in key order
  EXPECT_EQ(c.models[0].dataset, "imdb");
  EXPECT_FALSE(c.models[0].epochs);
  EXPECT_EQ(c.models[0].test_limit, 50);
  EXPECT_EQ(c.models[1].dataset, "mnist");
  EXPECT_EQ(*c.models[1].epochs, 2);
  EXPECT_EQ(c.datasets.at("imdb").seq_len, 64);
  EXPECT_EQ(c.datasets.at("imdb").vocab_size, 10000);
}

TEST_F(StudyTest, ConfigErrorsNameFileAndProblem) {
  EXPECT_THROW_WITH(read_study_config(dir_ / "none.toml", models()), UsageError, "none.toml");
  auto f = write("bad.toml", "name = \n");
  EXPECT_THROW_WITH(read_study_config(f, models()), UsageError, "bad.toml:1");
  f = write("unknown.toml", "[models.alexnet]\nepochs = 1\n");
  EXPECT_THROW_WITH(read_study_config(f, models()), UsageError, "alexnet", "models.toml");
  f = write("fw.toml", "frameworks = [\"jax\"]\n[models.lenet5]\n");
  EXPECT_THROW_WITH(read_study_config(f, models()), UsageError, "jax");
  f = write("empty.toml", "name = \"x\"\n");
  EXPECT_THROW_WITH(read_study_config(f, models()), UsageError, "no [models.*]");
}

// Issue #11: a wrong type, an out-of-range value or a typo is an error naming the file and the
// dotted key, never a default.
TEST_F(StudyTest, ConfigRefusesWrongTypesRangesAndUnknownKeys) {
  const auto m = models();
  const auto refuses = [&](const std::string& text, const char* fragment) {
    SCOPED_TRACE(text);
    const auto f = write("c.toml", text);
    EXPECT_THROW_WITH(read_study_config(f, m), UsageError, "c.toml", fragment);
  };
  refuses("[models.lenet5]\nepochs = \"1\"\n", "'models.lenet5.epochs' must be an integer");
  refuses("[models.lenet5]\nepochs = 1.5\n", "'models.lenet5.epochs' must be an integer");
  refuses("replicates = \"2\"\n[models.lenet5]\n", "'replicates' must be an integer");
  refuses("[models.lenet5]\ntrain_subsett = 256\n", "unknown key 'models.lenet5.train_subsett'");
  refuses("replcates = 3\n[models.lenet5]\n", "unknown key 'replcates'");
  refuses("[eval]\nbatch_size = 0\n[models.lenet5]\n", "'eval.batch_size' must be in [1, ");
  refuses("[eval]\nbatch_size = -64\n[models.lenet5]\n", "'eval.batch_size' must be in [1, ");
  refuses("[eval]\nruntimes = [\"onnxruntme\"]\n[models.lenet5]\n", "unknown runtime 'onnxruntme'");
  refuses("[eval]\ntimeout_s = nan\n[models.lenet5]\n", "'eval.timeout_s' must be a finite number");
  refuses("[models.lenet5]\n[robustness]\nruntime = \"ort\"\n", "robustness.runtime 'ort'");
  refuses("[models.lenet5]\n[robustness.fgsm]\nepsilon = { mnsit = 0.1 }\n",
          "'robustness.fgsm.epsilon.mnsit' is not a dataset");
  refuses("[models.lenet5]\n[robustness.genetic]\npopulaton = 3\n",
          "unknown key 'robustness.genetic.populaton'");
  refuses("[models.lenet5]\n[datasets.imdb]\nseq_len = 0\n", "'datasets.imdb.seq_len' must be in");
  refuses("[models.lenet5]\n[datasets.imbd]\n", "'datasets.imbd' is not a dataset");
  // config/models.toml is read as strictly.
  const auto f = write("ok.toml", "[models.lenet5]\n");
  const auto bad_models = write("m.toml", "[lenet5]\ndataset = \"mnist\"\nepoch = 3\n");
  EXPECT_THROW_WITH(read_study_config(f, bad_models), UsageError, "m.toml",
                    "unknown key 'lenet5.epoch'");
}

TEST_F(StudyTest, ConfigHashFollowsWhatResultsDependOn) {
  const auto m = models();
  const auto hash = [&](const std::string& text) {
    return config_hash(read_study_config(write("h.toml", text), m));
  };
  const std::string base = hash("name = \"a\"\n[models.lenet5]\nepochs = 1\n");
  EXPECT_EQ(base.size(), 64U);
  // Name, description, comments and jobs do not change what a cell measures.
  EXPECT_EQ(
      hash("name = \"b\" # other\ndescription = \"d\"\njobs = 2\n[models.lenet5]\nepochs = 1\n"),
      base);
  EXPECT_NE(hash("[models.lenet5]\nepochs = 2\n"), base);
  EXPECT_NE(hash("replicates = 2\n[models.lenet5]\nepochs = 1\n"), base);
  EXPECT_NE(hash("[eval]\nbatch_size = 7\n[models.lenet5]\nepochs = 1\n"), base);
  // The model's hyperparameters in config/models.toml are part of it.
  const auto m2 =
      write("models.toml", "[lenet5]\ndataset = \"mnist\"\nlr = 0.1\n[gru]\ndataset = \"imdb\"\n");
  EXPECT_NE(config_hash(read_study_config(write("h.toml", "[models.lenet5]\nepochs = 1\n"), m2)),
            base);
}

// Readers open the store read-only: a file that is not a convbench store is refused, and nothing
// is ever written, not even on failure.
TEST_F(StudyTest, ReadOnlyStoreRefusesForeignFilesAndNeverWrites) {
  const auto empty = write("empty.sqlite", "");
  EXPECT_THROW_WITH(ResultsStore(empty, StoreAccess::read_only), DataError, "empty.sqlite",
                    "not a convbench results store");
  const auto text = write("text.sqlite", "just some text, long enough to be a header......\n");
  EXPECT_THROW_WITH(ResultsStore(text, StoreAccess::read_only), DataError, "text.sqlite");
  const auto foreign = dir_ / "foreign.sqlite";
  {
    SQLite::Database db(foreign.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE cells(x INTEGER); INSERT INTO cells VALUES(1);");
  }
  const std::string before = sha256_file(foreign);
  EXPECT_THROW_WITH(ResultsStore(foreign, StoreAccess::read_only), DataError, "foreign.sqlite",
                    "not a convbench results store");
  // A study does not write its tables into someone else's database either.
  EXPECT_THROW_WITH(ResultsStore(foreign, StoreAccess::read_write), DataError, "foreign.sqlite");
  EXPECT_EQ(sha256_file(foreign), before);
  EXPECT_EQ(sha256_file(empty), sha256_file(write("e2", "")));
  EXPECT_THROW_WITH(ResultsStore(dir_ / "none.sqlite", StoreAccess::read_only), UsageError,
                    "none.sqlite");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "none.sqlite"));

  // A real store: after the writer closes, a reader finds a single file and leaves it as it is.
  const auto file = dir_ / "r.sqlite";
  {
    ResultsStore w(file, StoreAccess::read_write);
    w.save_cell({{"lenet5", "keras", 0}, 0, CellStatus::failed, "x", 0, 0}, nullptr);
    EXPECT_EQ(w.meta("schema_version"), std::to_string(kStoreSchemaVersion));
  }
  const std::string stored = sha256_file(file);
  {
    ResultsStore r(file, StoreAccess::read_only);
    EXPECT_EQ(r.cells().size(), 1U);
    EXPECT_THROW(r.set_meta("k", "v"), std::exception);  // read-only at the SQLite level
  }
  EXPECT_EQ(sha256_file(file), stored);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "r.sqlite-wal"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "r.sqlite-shm"));
  // A store from a newer convbench is refused rather than misread.
  {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
  }
  EXPECT_THROW_WITH(ResultsStore(file, StoreAccess::read_only), DataError, "newer convbench");
}

StoredResult row(std::string fw, int rep, std::string role, std::string worker, std::string status,
                 std::optional<double> acc, std::optional<double> size = 2e6) {
  StoredResult r;
  r.model = "lenet5";
  r.framework = std::move(fw);
  r.replicate = rep;
  r.cell = fmt::format("lenet5/{}/r{}", r.framework, rep);
  r.role = std::move(role);
  r.worker = std::move(worker);
  r.status = std::move(status);
  r.accuracy = acc;
  r.size_bytes = size;
  return r;
}

const TableCell& cell(const std::vector<TableCell>& cells, const std::string& q,
                      const std::string& v) {
  for (const auto& c : cells)
    if (c.quantity == q && c.variant == v) return c;
  throw Error("no cell " + q + " " + v);
}

TEST(Tables, MeanSampleStdAndWhyMissing) {
  StoredResult crashed = row("keras", 1, "onnx", "onnxruntime", "failed", std::nullopt);
  crashed.error = "onnxruntime worker died while running a batch:\nkilled by signal 9";
  std::vector<StoredResult> rs = {
      row("keras", 0, "original", "tensorflow", "ok", 0.90),
      row("keras", 1, "original", "tensorflow", "ok", 0.94),
      row("keras", 2, "original", "tensorflow", "ok", 0.92),
      row("keras", 0, "onnx", "onnxruntime", "ok", 0.90),
      crashed,
      row("keras", 2, "onnx", "onnxruntime", "ok", 0.92),
      row("keras", 0, "coreml", "", "not_runnable", std::nullopt, 3e6),
      row("keras", 1, "coreml", "", "not_runnable", std::nullopt, 3e6),
      row("keras", 2, "coreml", "", "not_runnable", std::nullopt, 3e6),
  };
  const auto cells = aggregate_tables(rs);
  const auto& orig = cell(cells, "accuracy_pct", "original");
  EXPECT_EQ(orig.n, 3);
  EXPECT_NEAR(*orig.mean, 92.0, 1e-9);
  EXPECT_NEAR(*orig.std, 2.0, 1e-9);  // sample std of 90, 94, 92
  const auto& onnx = cell(cells, "accuracy_pct", "onnx");
  EXPECT_EQ(onnx.n, 2);
  EXPECT_EQ(onnx.replicates, 3);
  EXPECT_EQ(onnx.note, "failed");
  const auto& coreml = cell(cells, "accuracy_pct", "coreml");
  EXPECT_FALSE(coreml.mean);
  EXPECT_EQ(coreml.note, "not runnable on this platform");
  // Sizes count even where the model cannot run.
  const auto& size = cell(cells, "size_mb", "coreml");
  EXPECT_NEAR(*size.mean, 3.0, 1e-12);
  EXPECT_FALSE(cell(cells, "accuracy_pct", "onnx_opencv").mean);
  const std::string md = tables_markdown(cells);
  EXPECT_NE(md.find("| LeNet-5 | Keras | 3 | 92.00 (2.00) | 91.00 (1.41) [n=2/3] |"),
            std::string::npos)
      << md;
  // The failure is listed with its cause, once, on one line.
  EXPECT_NE(md.find("- **LeNet-5 / Keras / ONNX (ORT)** (failed): `onnxruntime worker died while "
                    "running a batch: killed by signal 9`"),
            std::string::npos)
      << md;
  const std::string csv = tables_csv(cells);
  EXPECT_NE(csv.find("I,LeNet-5,Keras,,accuracy_pct,original,92,2,3,3,\n"), std::string::npos)
      << csv;
}

TEST_F(StudyTest, StoreSavesCellsAtomicallyAndReadsThemBack) {
  ResultsStore store(dir_ / "r.sqlite", StoreAccess::read_write);
  const CellKey k{"lenet5", "keras", 1};
  EXPECT_FALSE(store.cell_status(k));
  store.save_cell({k, 11, CellStatus::failed, "zoo exited with status 1", 1.5, 0}, nullptr);
  EXPECT_EQ(store.cell_status(k), CellStatus::failed);
  EXPECT_TRUE(store.results().empty());  // failed cells have no result rows

  EvalResult er;
  er.manifest.raw = {{"training",
                      {{"history",
                        {{{"epoch", 1},
                          {"loss", 0.5},
                          {"accuracy", 0.8},
                          {"val_loss", 0.6},
                          {"val_accuracy", 0.75}}}}}}};
  er.samples = 10;
  ArtefactResult a;
  a.artefact.role = "original";
  a.worker = "tensorflow";
  a.accuracy = 0.8;
  a.size_bytes = 1234;
  er.artefacts.push_back(a);
  store.save_cell({k, 11, CellStatus::done, "", 2.0, 1.0}, &er);
  EXPECT_EQ(store.cell_status(k), CellStatus::done);
  const auto rs = store.results();
  ASSERT_EQ(rs.size(), 1U);
  EXPECT_EQ(rs[0].cell, "lenet5/keras/r1");
  EXPECT_EQ(rs[0].replicate, 1);
  EXPECT_DOUBLE_EQ(*rs[0].accuracy, 0.8);
  EXPECT_DOUBLE_EQ(*rs[0].size_bytes, 1234);
  EXPECT_FALSE(rs[0].load_s);
  const auto h = store.history();
  ASSERT_EQ(h.size(), 1U);
  EXPECT_DOUBLE_EQ(h[0].val_accuracy, 0.75);
  ASSERT_EQ(store.cells().size(), 1U);
  EXPECT_EQ(store.cells()[0].seed, 11);
  store.set_meta("k", "v");
  EXPECT_EQ(store.meta("k"), "v");
}

TEST(Progress, LineHasCountsBarAndEta) {
  Progress p(4, 1);
  const std::string line = p.finished("lenet5/keras/r1", true, 75);
  EXPECT_NE(line.find("[2/4]"), std::string::npos) << line;
  EXPECT_NE(line.find("##########.........."), std::string::npos) << line;
  EXPECT_NE(line.find("done in 1m15s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA"), std::string::npos);
  EXPECT_EQ(format_duration(3725), "1h02m");
}

}  // namespace
}  // namespace convbench

namespace convbench {
namespace {

// Each cell stores its dataset and modality; a store made before those columns reads them from
// the cell's manifest and the dataset's description, and gets the columns when next written to.
TEST_F(StudyTest, DatasetAndModalityPerCellAlsoFromOldStores) {
  const auto file = dir_ / "old.sqlite";
  {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(
        "CREATE TABLE cells(cell TEXT PRIMARY KEY, model TEXT NOT NULL, framework TEXT NOT NULL, "
        "replicate INTEGER NOT NULL, seed INTEGER NOT NULL, status TEXT NOT NULL, error TEXT, "
        "train_wall_s REAL, eval_wall_s REAL, finished_at TEXT NOT NULL DEFAULT "
        "(datetime('now')), manifest TEXT);"
        // The other tables as the first schema had them.
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE results(cell TEXT NOT NULL, role TEXT NOT NULL, worker TEXT NOT NULL, "
        "format TEXT, status TEXT NOT NULL, error TEXT, runtime TEXT, samples INTEGER, "
        "size_bytes REAL, load_s REAL, inference_s REAL, inference_wall_s REAL, latency_p50 REAL, "
        "latency_p95 REAL, latency_p99 REAL, peak_rss_bytes REAL, accuracy REAL, "
        "abs_err_mean REAL, abs_err_std REAL, rel_err_mean REAL, rel_err_std REAL, "
        "max_abs_element REAL, misclassification REAL, json TEXT NOT NULL, "
        "PRIMARY KEY(cell, role, worker));"
        "CREATE TABLE history(cell TEXT NOT NULL, epoch INTEGER NOT NULL, loss REAL, "
        "accuracy REAL, val_loss REAL, val_accuracy REAL, PRIMARY KEY(cell, epoch));"
        "CREATE TABLE attacks(cell TEXT NOT NULL, attack TEXT NOT NULL, role TEXT NOT NULL, "
        "worker TEXT NOT NULL, status TEXT NOT NULL, error TEXT, inputs INTEGER, attacked "
        "INTEGER, success_original REAL, success_converted REAL, misclassification REAL, "
        "abs_err_mean REAL, abs_err_std REAL, median_perturbation REAL, queries INTEGER, "
        "attack_wall_s REAL, params TEXT NOT NULL, PRIMARY KEY(cell, attack, role));"
        "INSERT INTO cells(cell, model, framework, replicate, seed, status, manifest) VALUES("
        "'gru/keras/r0', 'gru', 'keras', 0, 0, 'done', '{\"dataset\": \"imdb\"}');");
  }
  const std::string before = sha256_file(file);
  {
    // Reading an old store changes nothing in it.
    ResultsStore reader(file, StoreAccess::read_only);
    const auto old = reader.cells();
    ASSERT_EQ(old.size(), 1U);
    EXPECT_EQ(old[0].dataset, "imdb");
    EXPECT_EQ(old[0].modality, "text");
  }
  EXPECT_EQ(sha256_file(file), before);
  ResultsStore store(file, StoreAccess::read_write);
  EvalResult er;
  er.manifest.dataset = "cifar10";
  er.manifest.raw = {{"training", {{"history", nlohmann::json::array()}}}};
  store.save_cell({{"resnet18", "keras", 0}, 0, CellStatus::done, "", 1, 1}, &er);
  const auto all = store.cells();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[1].dataset, "cifar10");  // "resnet18/keras/r0" sorts after "gru/..."
  EXPECT_EQ(all[1].modality, "image");
}

}  // namespace
}  // namespace convbench
