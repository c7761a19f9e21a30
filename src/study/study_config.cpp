#include "study/study_config.hpp"

#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/toml_fields.hpp"
#include "data/catalogue.hpp"
#include "runtime/registry.hpp"

namespace convbench {
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kMaxCount = std::int64_t{1} << 40;  // any sample or step count

// [robustness]: RQ3 budgets. Unknown attacks and runtimes are refused here, not hours later.
RobustnessOptions read_robustness(TomlFields r) {
  RobustnessOptions o;
  const auto& file = r.file();
  o.inputs = r.integer("inputs", 1, kMaxCount).value_or(o.inputs);
  o.seed = r.integer("seed", 0).value_or(o.seed);
  o.converted_runtime = r.string("runtime").value_or(o.converted_runtime);
  const auto runtimes = known_runtimes();
  if (std::find(runtimes.begin(), runtimes.end(), o.converted_runtime) == runtimes.end())
    fail<UsageError>("{}: robustness.runtime '{}' is not a runtime ({})", file, o.converted_runtime,
                     fmt::join(runtimes, ", "));
  if (auto a = r.strings("attacks")) o.attacks = *a;
  for (const auto& a : o.attacks)
    if (a != "fgsm" && a != "boundary" && a != "genetic")
      fail<UsageError>("{}: unknown attack '{}' in robustness.attacks (fgsm, boundary, genetic)",
                       file, a);
  const auto known_dataset = [&](TomlFields& t, const std::string& d) {
    const auto names = dataset_names();
    if (std::find(names.begin(), names.end(), d) == names.end())
      fail<UsageError>("{}: '{}' is not a dataset ({})", file, t.path(d), fmt::join(names, ", "));
  };
  if (auto f = r.table("fgsm"))
    if (auto eps = f->table("epsilon"))
      for (const auto& d : eps->keys()) {
        known_dataset(*eps, d);
        const double e = *eps->number(d, 0, 1);
        if (e <= 0) fail<UsageError>("{}: '{}' must be in (0, 1]", file, eps->path(d));
        o.fgsm_epsilon[d] = e;
      }
  if (auto b = r.table("boundary")) {
    if (auto l2 = b->table("l2_budget"))
      for (const auto& d : l2->keys()) {
        known_dataset(*l2, d);
        const double v = *l2->number(d, 0);
        if (v <= 0) fail<UsageError>("{}: '{}' must be positive", file, l2->path(d));
        o.boundary_l2_budget[d] = static_cast<float>(v);
      }
    o.boundary.steps = static_cast<int>(b->integer("steps", 0, 1 << 30).value_or(o.boundary.steps));
    o.boundary.init_directions = static_cast<int>(
        b->integer("init_directions", 1, 1 << 30).value_or(o.boundary.init_directions));
    o.boundary.max_queries = b->integer("max_queries", 0).value_or(o.boundary.max_queries);
    o.boundary.spherical_step = static_cast<float>(
        b->number("spherical_step", 1e-12, 1).value_or(o.boundary.spherical_step));
    o.boundary.source_step =
        static_cast<float>(b->number("source_step", 1e-12, 1).value_or(o.boundary.source_step));
  }
  if (auto g = r.table("genetic")) {
    o.genetic.population = g->integer("population", 1, kMaxCount).value_or(o.genetic.population);
    o.genetic.generations = g->integer("generations", 0, kMaxCount).value_or(o.genetic.generations);
    o.genetic.max_modified_ratio =
        g->number("max_modified_ratio", 0, 1).value_or(o.genetic.max_modified_ratio);
    o.genetic.min_words = g->integer("min_words", 0, kMaxCount).value_or(o.genetic.min_words);
    o.genetic.max_words = g->integer("max_words", 0, kMaxCount).value_or(o.genetic.max_words);
    if (o.genetic.max_words < o.genetic.min_words)
      fail<UsageError>("{}: robustness.genetic.max_words ({}) is below min_words ({})", file,
                       o.genetic.max_words, o.genetic.min_words);
    o.genetic.k = g->integer("k", 1, kMaxCount).value_or(o.genetic.k);
    o.genetic.max_queries = g->integer("max_queries", 0).value_or(o.genetic.max_queries);
    o.embedding_file = g->string("embedding_file").value_or("");
    o.embedding_max_distance = g->number("max_distance", 0).value_or(o.embedding_max_distance);
    o.wordnet_dir = g->string("wordnet_dir").value_or(o.wordnet_dir.string());
  }
  return o;
}

struct ModelDefaults {
  std::string dataset;
  std::string hparams;  // the model's table as TOML text (part of the config's identity)
};

// config/models.toml, read strictly: the zoo trains with these values, so a typo there must not
// pass unnoticed on the C++ side either.
std::map<std::string, ModelDefaults> read_model_defaults(const fs::path& models_toml) {
  const auto [table, name] = TomlFields::parse(models_toml);
  TomlFields root(table, name);
  const auto datasets = dataset_names();
  std::map<std::string, ModelDefaults> out;
  for (const auto& model : root.keys()) {
    auto m = *root.table(model);
    const auto dataset = m.string("dataset");
    if (!dataset) fail<UsageError>("{}: [{}] has no dataset", name, model);
    if (std::find(datasets.begin(), datasets.end(), *dataset) == datasets.end())
      fail<UsageError>("{}: '{}' is not a dataset ({})", name, m.path("dataset"),
                       fmt::join(datasets, ", "));
    const auto optimizer = m.string("optimizer");
    if (optimizer && *optimizer != "sgd" && *optimizer != "adam")
      fail<UsageError>("{}: '{}' must be \"sgd\" or \"adam\"", name, m.path("optimizer"));
    m.number("lr", 0);
    m.number("momentum", 0);
    m.number("weight_decay", 0);
    m.number("epsilon", 0);
    m.integer("batch_size", 1);
    m.integer("epochs", 1);
    std::ostringstream text;
    text << *table.get_as<toml::table>(model);
    out[model] = {*dataset, text.str()};
  }
  root.reject_unknown();
  return out;
}

}  // namespace

StudyConfig read_study_config(const fs::path& file, const fs::path& models_toml) {
  if (!fs::exists(file)) fail<UsageError>("{}: study config not found", file.string());
  const auto [table, name] = TomlFields::parse(file);
  const auto model_defaults = read_model_defaults(models_toml);
  TomlFields t(table, name);
  StudyConfig c;
  c.source = file;
  c.name = t.string("name").value_or(file.stem().string());
  if (c.name.empty() || c.name.find_first_of("/\\") != std::string::npos)
    fail<UsageError>("{}: 'name' must be a non-empty name without slashes", name);
  c.description = t.string("description").value_or("");
  c.replicates = static_cast<int>(t.integer("replicates", 1, 100000).value_or(1));
  c.seed = t.integer("seed", 0).value_or(0);
  if (auto f = t.strings("frameworks")) c.frameworks = *f;
  if (c.frameworks.empty()) fail<UsageError>("{}: 'frameworks' is empty", name);
  for (const auto& f : c.frameworks)
    if (f != "keras" && f != "pytorch")
      fail<UsageError>("{}: unknown framework '{}' in frameworks (keras, pytorch)", name, f);
  c.jobs = static_cast<int>(t.integer("jobs", 1, 1024).value_or(1));
  if (auto e = t.table("eval")) {
    c.batch_size = e->integer("batch_size", 1, kMaxCount).value_or(100);
    c.warmup = static_cast<int>(e->integer("warmup", 0, 1000000).value_or(2));
    c.threads = static_cast<int>(e->integer("threads", 0, 4096).value_or(0));
    c.runtimes = e->strings("runtimes").value_or(std::vector<std::string>{});
    const auto known = known_runtimes();
    for (const auto& r : c.runtimes)
      if (std::find(known.begin(), known.end(), r) == known.end())
        fail<UsageError>("{}: unknown runtime '{}' in eval.runtimes ({})", name, r,
                         fmt::join(known, ", "));
    c.timeout_s = e->number("timeout_s", 1e-3, 1e7).value_or(600);
  }

  auto mt = t.table("models");
  if (!mt || mt->keys().empty()) fail<UsageError>("{}: no [models.*] tables", name);
  for (const auto& model : mt->keys()) {
    auto m = *mt->table(model);
    const auto ds = model_defaults.find(model);
    if (ds == model_defaults.end())
      fail<UsageError>("{}: model '{}' is not defined in {}", name, model, models_toml.string());
    ModelPlan p;
    p.model = model;
    p.dataset = ds->second.dataset;
    p.hparams = ds->second.hparams;
    if (auto e = m.integer("epochs", 1, 1000000)) p.epochs = static_cast<int>(*e);
    p.train_subset = m.integer("train_subset", 0, kMaxCount).value_or(0);
    p.val_subset = m.integer("val_subset", 0, kMaxCount).value_or(0);
    p.test_limit = m.integer("test_limit", 0, kMaxCount).value_or(0);
    p.rq3_inputs = m.integer("rq3_inputs", 0, kMaxCount);
    if (auto n = m.integer("rq3_boundary_steps", 0, 1 << 30))
      p.rq3_boundary_steps = static_cast<int>(*n);
    c.models.push_back(p);
  }
  if (auto r = t.table("robustness")) c.robustness = read_robustness(*r);
  if (auto ds = t.table("datasets")) {
    const auto known = dataset_names();
    for (const auto& d : ds->keys()) {
      if (std::find(known.begin(), known.end(), d) == known.end())
        fail<UsageError>("{}: '{}' is not a dataset ({})", name, ds->path(d),
                         fmt::join(known, ", "));
      auto v = *ds->table(d);
      DatasetOptions o;
      o.vocab_size = v.integer("vocab_size", 1, 100000000).value_or(o.vocab_size);
      o.seq_len = v.integer("seq_len", 1, 1000000).value_or(o.seq_len);
      c.datasets[d] = o;
    }
  }
  t.reject_unknown();
  return c;
}

std::string config_hash(const StudyConfig& c) {
  // Everything a cell's numbers depend on; not the name, description, file path or --jobs.
  nlohmann::json j;
  j["replicates"] = c.replicates;
  j["seed"] = c.seed;
  j["frameworks"] = c.frameworks;
  j["eval"] = {{"batch_size", c.batch_size},
               {"warmup", c.warmup},
               {"threads", c.threads},
               {"runtimes", c.runtimes},
               {"timeout_s", c.timeout_s}};
  for (const auto& m : c.models)
    j["models"][m.model] = {
        {"dataset", m.dataset},
        {"hparams", m.hparams},
        {"epochs", m.epochs ? nlohmann::json(*m.epochs) : nlohmann::json()},
        {"train_subset", m.train_subset},
        {"val_subset", m.val_subset},
        {"test_limit", m.test_limit},
        {"rq3_inputs", m.rq3_inputs ? nlohmann::json(*m.rq3_inputs) : nlohmann::json()},
        {"rq3_boundary_steps",
         m.rq3_boundary_steps ? nlohmann::json(*m.rq3_boundary_steps) : nlohmann::json()}};
  for (const auto& [d, o] : c.datasets) j["datasets"][d] = {o.vocab_size, o.seq_len};
  if (const auto& r = c.robustness) {
    const auto& b = r->boundary;
    const auto& g = r->genetic;
    j["robustness"] = {
        {"inputs", r->inputs},
        {"seed", r->seed},
        {"attacks", r->attacks},
        {"runtime", r->converted_runtime},
        {"fgsm_epsilon", r->fgsm_epsilon},
        {"boundary", {b.steps, b.init_directions, b.max_queries, b.spherical_step, b.source_step}},
        {"l2_budget", r->boundary_l2_budget},
        {"genetic",
         {g.population, g.generations, g.max_modified_ratio, g.min_words, g.max_words, g.k,
          g.max_queries}},
        {"synonyms",
         {r->embedding_file.string(), r->embedding_max_distance, r->wordnet_dir.string()}}};
  }
  return sha256_hex(j.dump());
}

fs::path preset_path(const fs::path& repo_root, const std::string& preset) {
  return repo_root / "config" / "study" / (preset + ".toml");
}

}  // namespace convbench
