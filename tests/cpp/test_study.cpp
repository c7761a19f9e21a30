#include <SQLiteCpp/Database.h>

#include <fstream>

#include "core/error.hpp"
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
  ResultsStore store(dir_ / "r.sqlite");
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
        "INSERT INTO cells(cell, model, framework, replicate, seed, status, manifest) VALUES("
        "'gru/keras/r0', 'gru', 'keras', 0, 0, 'done', '{\"dataset\": \"imdb\"}');");
  }
  ResultsStore store(file);
  const auto old = store.cells();
  ASSERT_EQ(old.size(), 1U);
  EXPECT_EQ(old[0].dataset, "imdb");
  EXPECT_EQ(old[0].modality, "text");
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
