#include "study/study_config.hpp"

#include <toml++/toml.h>

#include <cstdlib>

#include "core/error.hpp"

namespace convbench {
namespace fs = std::filesystem;

namespace {

template <typename T>
T get_or(const toml::node_view<const toml::node>& n, T fallback) {
  return n.value<T>().value_or(fallback);
}

std::vector<std::string> strings(const toml::node_view<const toml::node>& n, const fs::path& file,
                                 const char* key) {
  std::vector<std::string> out;
  if (!n) return out;
  const auto* arr = n.as_array();
  if (arr == nullptr) fail<UsageError>("{}: '{}' must be an array of strings", file.string(), key);
  for (const auto& v : *arr) {
    auto s = v.value<std::string>();
    if (!s) fail<UsageError>("{}: '{}' must be an array of strings", file.string(), key);
    out.push_back(*s);
  }
  return out;
}

toml::table parse(const fs::path& file) {
  try {
    return toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    fail<UsageError>("{}:{}:{}: {}", file.string(), e.source().begin.line, e.source().begin.column,
                     e.description());
  }
}

// [robustness]: RQ3 budgets. Unknown attacks are refused here, not hours later.
RobustnessOptions read_robustness(const toml::node_view<const toml::node>& r,
                                  const fs::path& file) {
  RobustnessOptions o;
  o.inputs = get_or<std::int64_t>(r["inputs"], o.inputs);
  o.seed = get_or<std::int64_t>(r["seed"], o.seed);
  o.converted_runtime = get_or<std::string>(r["runtime"], o.converted_runtime);
  if (auto a = strings(r["attacks"], file, "robustness.attacks"); !a.empty()) o.attacks = a;
  for (const auto& a : o.attacks)
    if (a != "fgsm" && a != "boundary" && a != "genetic")
      fail<UsageError>("{}: unknown attack '{}' (fgsm, boundary, genetic)", file.string(), a);
  if (const auto* eps = r["fgsm"]["epsilon"].as_table())
    for (const auto& [dataset, v] : *eps) {
      const auto e = v.value<double>();
      if (!e || *e <= 0 || *e > 1)
        fail<UsageError>("{}: robustness.fgsm.epsilon.{} must be a number in (0, 1]", file.string(),
                         dataset.str());
      o.fgsm_epsilon[std::string(dataset.str())] = *e;
    }
  if (const auto* l2 = r["boundary"]["l2_budget"].as_table())
    for (const auto& [dataset, v] : *l2) {
      const auto b = v.value<double>();
      if (!b || *b <= 0)
        fail<UsageError>("{}: robustness.boundary.l2_budget.{} must be a positive number",
                         file.string(), dataset.str());
      o.boundary_l2_budget[std::string(dataset.str())] = static_cast<float>(*b);
    }
  const auto b = r["boundary"];
  o.boundary.steps = get_or<int>(b["steps"], o.boundary.steps);
  o.boundary.init_directions = get_or<int>(b["init_directions"], o.boundary.init_directions);
  o.boundary.max_queries = get_or<std::int64_t>(b["max_queries"], o.boundary.max_queries);
  o.boundary.spherical_step =
      static_cast<float>(get_or<double>(b["spherical_step"], o.boundary.spherical_step));
  o.boundary.source_step =
      static_cast<float>(get_or<double>(b["source_step"], o.boundary.source_step));
  const auto g = r["genetic"];
  o.genetic.population = get_or<std::int64_t>(g["population"], o.genetic.population);
  o.genetic.generations = get_or<std::int64_t>(g["generations"], o.genetic.generations);
  o.genetic.max_modified_ratio =
      get_or<double>(g["max_modified_ratio"], o.genetic.max_modified_ratio);
  o.genetic.min_words = get_or<std::int64_t>(g["min_words"], o.genetic.min_words);
  o.genetic.max_words = get_or<std::int64_t>(g["max_words"], o.genetic.max_words);
  o.genetic.k = get_or<std::int64_t>(g["k"], o.genetic.k);
  o.genetic.max_queries = get_or<std::int64_t>(g["max_queries"], o.genetic.max_queries);
  o.embedding_file = get_or<std::string>(g["embedding_file"], "");
  o.embedding_max_distance = get_or<double>(g["max_distance"], o.embedding_max_distance);
  o.wordnet_dir = get_or<std::string>(g["wordnet_dir"], o.wordnet_dir.string());
  if (o.inputs < 1) fail<UsageError>("{}: robustness.inputs must be >= 1", file.string());
  if (o.boundary.steps < 0 || o.genetic.population < 1 || o.genetic.generations < 0 ||
      o.genetic.k < 1)
    fail<UsageError>("{}: robustness: steps/generations >= 0, population/k >= 1", file.string());
  return o;
}

}  // namespace

StudyConfig read_study_config(const fs::path& file, const fs::path& models_toml) {
  if (!fs::exists(file)) fail<UsageError>("{}: study config not found", file.string());
  const toml::table t = parse(file);
  const toml::table models = parse(models_toml);
  StudyConfig c;
  c.source = file;
  c.name = get_or<std::string>(t["name"], file.stem().string());
  c.description = get_or<std::string>(t["description"], "");
  c.replicates = get_or<int>(t["replicates"], 1);
  c.seed = get_or<std::int64_t>(t["seed"], 0);
  if (auto f = strings(t["frameworks"], file, "frameworks"); !f.empty()) c.frameworks = f;
  for (const auto& f : c.frameworks)
    if (f != "keras" && f != "pytorch")
      fail<UsageError>("{}: unknown framework '{}' (keras, pytorch)", file.string(), f);
  c.jobs = get_or<int>(t["jobs"], 1);
  if (c.replicates < 1 || c.jobs < 1)
    fail<UsageError>("{}: replicates and jobs must be >= 1", file.string());
  c.batch_size = get_or<std::int64_t>(t["eval"]["batch_size"], 100);
  c.warmup = get_or<int>(t["eval"]["warmup"], 2);
  c.threads = get_or<int>(t["eval"]["threads"], 0);
  c.runtimes = strings(t["eval"]["runtimes"], file, "eval.runtimes");
  c.timeout_s = get_or<double>(t["eval"]["timeout_s"], 600);

  const auto* mt = t["models"].as_table();
  if (mt == nullptr || mt->empty()) fail<UsageError>("{}: no [models.*] tables", file.string());
  for (const auto& [key, node] : *mt) {
    const std::string name(key.str());
    const auto* m = node.as_table();
    if (m == nullptr) fail<UsageError>("{}: models.{} must be a table", file.string(), name);
    const auto dataset = models[name]["dataset"].value<std::string>();
    if (!dataset)
      fail<UsageError>("{}: model '{}' is not defined in {}", file.string(), name,
                       models_toml.string());
    ModelPlan p;
    p.model = name;
    p.dataset = *dataset;
    if (auto e = (*m)["epochs"].value<int>()) p.epochs = *e;
    p.train_subset = get_or<std::int64_t>((*m)["train_subset"], 0);
    p.val_subset = get_or<std::int64_t>((*m)["val_subset"], 0);
    p.test_limit = get_or<std::int64_t>((*m)["test_limit"], 0);
    if (auto n = (*m)["rq3_inputs"].value<std::int64_t>()) p.rq3_inputs = *n;
    if (auto n = (*m)["rq3_boundary_steps"].value<int>()) p.rq3_boundary_steps = *n;
    c.models.push_back(p);
  }
  if (t["robustness"]) c.robustness = read_robustness(t["robustness"], file);
  if (const auto* ds = t["datasets"].as_table())
    for (const auto& [key, node] : *ds) {
      DatasetOptions o;
      const toml::node_view<const toml::node> v(node);
      o.vocab_size = get_or<std::int64_t>(v["vocab_size"], o.vocab_size);
      o.seq_len = get_or<std::int64_t>(v["seq_len"], o.seq_len);
      c.datasets[std::string(key.str())] = o;
    }
  return c;
}

fs::path preset_path(const fs::path& repo_root, const std::string& preset) {
  return repo_root / "config" / "study" / (preset + ".toml");
}

fs::path repo_root() {
  if (const char* r = std::getenv("CONVBENCH_ROOT"); r != nullptr && *r != '\0') return r;
  for (fs::path p = fs::read_symlink("/proc/self/exe").parent_path(); !p.empty();
       p = p.parent_path()) {
    if (fs::exists(p / "config" / "models.toml") && fs::exists(p / "zoo")) return p;
    if (p == p.root_path()) break;
  }
  fail<UsageError>(
      "cannot find the convbench checkout (config/, zoo/) above the binary; set CONVBENCH_ROOT");
}

}  // namespace convbench
