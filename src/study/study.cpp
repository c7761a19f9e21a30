#include "study/study.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/subprocess.hpp"
#include "data/catalogue.hpp"
#include "data/fetch.hpp"
#include "data/prepare.hpp"
#include "eval/evaluate.hpp"
#include "study/progress.hpp"
#include "study/zoo_runner.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Cell {
  CellKey key;
  const ModelPlan* plan = nullptr;
  std::int64_t seed = 0;
};

// The prepared (.npy) directory of a dataset for this study: named by the options that shape
// its content, so studies with other subsets or vocabularies never reuse the wrong one.
struct Prepared {
  fs::path dir;
  PrepareOptions options;
};

std::map<std::string, Prepared> plan_prepared(const StudyConfig& c, const fs::path& data_root) {
  std::map<std::string, Prepared> out;
  for (const auto& m : c.models) {
    const bool first = !out.contains(m.dataset);
    auto& p = out[m.dataset];
    // Decode only as many samples as the largest subset needs (0 = all).
    auto widen = [&](std::int64_t& have, std::int64_t want) {
      have = first ? want : (have == 0 || want == 0 ? 0 : std::max(have, want));
    };
    widen(p.options.train_limit, m.train_subset);
    widen(p.options.test_limit, m.val_subset);
  }
  for (auto& [dataset, p] : out) {
    std::string name = dataset + "-npy";
    if (const auto it = c.datasets.find(dataset); it != c.datasets.end()) {
      p.options.vocab_words = static_cast<std::size_t>(it->second.vocab_size);
      p.options.seq_len = static_cast<std::size_t>(it->second.seq_len);
    }
    if (dataset == "imdb")
      name += fmt::format("-v{}-l{}", p.options.vocab_words, p.options.seq_len);
    if (p.options.train_limit > 0) name += fmt::format("-train{}", p.options.train_limit);
    if (p.options.test_limit > 0) name += fmt::format("-test{}", p.options.test_limit);
    p.dir = data_root / name;
  }
  return out;
}

// Fetches (mirror or download, checksums verified) and prepares each dataset once.
void prepare_datasets(const std::map<std::string, Prepared>& prepared, const StudyOptions& o) {
  for (const auto& [dataset, p] : prepared) {
    const fs::path raw = o.data_root / dataset;
    if (o.fetch) {
      spdlog::info("data: {} -> {}", dataset, raw.string());
      fetch_dataset(dataset_spec(dataset), {raw, o.mirror, true});
    } else if (!fs::is_directory(raw)) {
      fail<UsageError>("{}: no such dataset directory (--no-fetch uses it as is)", raw.string());
    }
    if (!fs::exists(p.dir / "meta.json")) {
      spdlog::info("data: decoding {} into {}", dataset, p.dir.string());
      prepare_npy(dataset, raw, p.dir, p.options);
    }
  }
}

// The file's text; "" when it does not exist.
std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Runner {
 public:
  Runner(const StudyConfig& c, const StudyOptions& o,
         const std::map<std::string, Prepared>& prepared, ResultsStore& store, Progress& progress)
      : c_(c), o_(o), prepared_(prepared), store_(store), progress_(progress), root_(repo_root()) {}

  // Never throws: every failure of a cell becomes that cell's stored result.
  bool run(const Cell& cell) {
    const auto t0 = Clock::now();
    const std::string id = cell.key.id();
    CellRecord rec{cell.key, cell.seed, CellStatus::done, "", 0, 0, cell.plan->dataset, "", hash_};
    const fs::path model_dir = o_.out_dir / "models" / id;
    const fs::path hash_file = model_dir / "convbench-config.sha256";
    try {
      // A complete model directory is reused only if it was trained under this config.
      if (model_dir_complete(model_dir) && read_text(hash_file) == hash_) {
        spdlog::info("{}: model directory complete from an earlier run, not retrained", id);
      } else {
        fs::remove_all(model_dir);
        const fs::path log = o_.out_dir / "logs" / (id + ".zoo.log");
        fs::remove(log);
        spdlog::info("{}: training (seed {}), log {}", id, cell.seed, log.string());
        ZooTrainRequest req{cell.key.model,
                            cell.key.framework,
                            prepared_.at(cell.plan->dataset).dir,
                            model_dir,
                            cell.seed,
                            cell.plan->epochs,
                            cell.plan->train_subset,
                            cell.plan->val_subset,
                            c_.threads,
                            log};
        const ProcessResult pr = run_zoo_train(root_, req);
        rec.train_wall_s = pr.wall_s;
        if (!pr.status.ok())
          fail("training failed: the zoo {}; its log ({}) ends: {}", pr.status.describe(),
               log.string(), file_tail(log, 1500));
        write_text(hash_file, hash_);
      }
      // Measurements run one cell at a time, so that training elsewhere does not skew timings.
      std::lock_guard measure_lock(measure_mu_);
      const auto te = Clock::now();
      EvalOptions eo;
      eo.model_dir = model_dir;
      eo.data_dir = o_.data_root / cell.plan->dataset;
      eo.batch_size = c_.batch_size;
      eo.warmup_batches = c_.warmup;
      eo.limit = cell.plan->test_limit;
      eo.workers.threads = c_.threads;
      eo.workers.timeout = std::chrono::milliseconds(static_cast<long>(c_.timeout_s * 1000));
      eo.workers.log_dir = o_.out_dir / "logs" / id;
      eo.runtimes = c_.runtimes;
      const EvalResult er = evaluate(eo);
      rec.eval_wall_s = since(te);
      std::vector<AttackRecord> attacks;
      if (c_.robustness && cell.plan->rq3_inputs.value_or(1) > 0) {
        RobustnessOptions ro = *c_.robustness;
        ro.inputs = cell.plan->rq3_inputs.value_or(ro.inputs);
        ro.boundary.steps = cell.plan->rq3_boundary_steps.value_or(ro.boundary.steps);
        ro.seed += cell.key.replicate;
        ro.batch_size = c_.batch_size;
        ro.workers = eo.workers;
        ro.label = id;
        attacks = run_robustness(er, ro);
      }
      store_.save_cell(rec, &er, attacks);
      progress_.finished(id, true, since(t0));
      return true;
    } catch (const std::exception& e) {
      rec.status = CellStatus::failed;
      rec.error = e.what();
      spdlog::error("{}: {}", id, rec.error);
      try {
        store_.save_cell(rec, nullptr);
      } catch (const std::exception& se) {
        spdlog::error("{}: could not store the failure: {}", id, se.what());
      }
      progress_.finished(id, false, since(t0));
      return false;
    }
  }

 private:
  const StudyConfig& c_;
  const StudyOptions& o_;
  const std::map<std::string, Prepared>& prepared_;
  ResultsStore& store_;
  Progress& progress_;
  std::string hash_ = config_hash(c_);
  fs::path root_;
  std::mutex measure_mu_;
};

void setup_logging(const fs::path& log_file) {
  fs::create_directories(log_file.parent_path());
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file.string(), false);
  auto logger =
      std::make_shared<spdlog::logger>("convbench", spdlog::sinks_init_list{console, file});
  logger->set_pattern("[%Y-%m-%d %H:%M:%S] %^%l%$ %v");
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// A store keeps the config its cells were made with: resuming it with another config would mix
// settings under one name, so that is refused unless forced, and a forced change is recorded.
void adopt_config(ResultsStore& store, const StudyConfig& c, bool force) {
  const std::string hash = config_hash(c);
  const std::string text = read_text(c.source);
  const auto stored_hash = store.meta("config_hash");
  const auto stored_text = store.meta("config");
  // Stores made before the hash: their config text is the evidence.
  const bool changed = stored_hash ? *stored_hash != hash : stored_text && *stored_text != text;
  if (changed) {
    const auto cells = store.cells().size();
    if (!force)
      fail<UsageError>(
          "{}: this store was made with another study config (config hash {} , now {} from {}); "
          "its {} stored cell(s) would mix settings. Use another --out, or --force-config to "
          "continue anyway (recorded in the store)",
          store.path().string(), stored_hash.value_or("unknown"), hash, c.source.string(), cells);
    auto history = nlohmann::json::array();
    if (const auto h = store.meta("config_changes")) history = nlohmann::json::parse(*h);
    history.push_back({{"at", std::time(nullptr)},
                       {"from_hash", stored_hash.value_or("")},
                       {"to_hash", hash},
                       {"from_config", stored_text.value_or("")},
                       {"cells_before", cells}});
    store.set_meta("config_changes", history.dump());
    spdlog::warn(
        "{}: config changed (--force-config): {} cell(s) were made with config {}; "
        "recorded in meta.config_changes, each cell keeps its own config_hash",
        store.path().string(), cells, stored_hash.value_or("unknown"));
  }
  store.set_meta("study", c.name);
  store.set_meta("config_file", c.source.string());
  store.set_meta("config", text);
  store.set_meta("config_hash", hash);
  if (!store.meta("created")) store.set_meta("created", fmt::format("{}", std::time(nullptr)));
}

}  // namespace

StudySummary run_study(const StudyConfig& c, const StudyOptions& o) {
  const auto t0 = Clock::now();
  fs::create_directories(o.out_dir);
  setup_logging(o.out_dir / "study.log");
  ResultsStore store(o.out_dir / "results.sqlite", StoreAccess::read_write);
  adopt_config(store, c, o.force_config);
  spdlog::info("study '{}' ({}), results in {}", c.name, c.source.string(), store.path().string());

  const auto prepared = plan_prepared(c, o.data_root);
  prepare_datasets(prepared, o);

  std::vector<Cell> todo;
  StudySummary sum;
  for (const auto& plan : c.models)
    for (const auto& fw : c.frameworks)
      for (int r = 0; r < c.replicates; ++r) {
        Cell cell{{plan.model, fw, r}, &plan, c.seed + r};
        ++sum.cells;
        const auto st = store.cell_status(cell.key);
        if (st == CellStatus::done || (st == CellStatus::failed && !o.retry_failed)) {
          ++sum.skipped;
          continue;
        }
        todo.push_back(cell);
      }
  spdlog::info("{} cells: {} stored already, {} to run", sum.cells, sum.skipped, todo.size());

  Progress progress(sum.cells, sum.skipped);
  Runner runner(c, o, prepared, store, progress);
  std::atomic<std::size_t> next{0};
  std::atomic<int> done{0}, failed{0};
  auto work = [&] {
    for (std::size_t i = next++; i < todo.size(); i = next++)
      (runner.run(todo[i]) ? done : failed)++;
  };
  const int jobs = std::max(1, o.jobs.value_or(c.jobs));
  {
    std::vector<std::jthread> pool;
    for (int j = 1; j < jobs; ++j) pool.emplace_back(work);
    work();
  }
  sum.done = done;
  sum.failed = failed;
  sum.wall_s = since(t0);
  spdlog::info("study '{}': {} cells run ({} failed), {} skipped, {}", c.name,
               sum.done + sum.failed, sum.failed, sum.skipped, format_duration(sum.wall_s));
  return sum;
}

}  // namespace convbench
