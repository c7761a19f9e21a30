#include "attack/rq3.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <numeric>
#include <random>

#include "core/error.hpp"
#include "data/catalogue.hpp"
#include "data/model_inputs.hpp"
#include "metrics/fidelity.hpp"
#include "runtime/model_runner.hpp"

namespace convbench {
namespace {

using Clock = std::chrono::steady_clock;

// What an attack produced on the original: one adversarial row per attacked input of D.
struct AttackRun {
  Tensor adversarial;
  std::vector<std::int64_t> rows;    // which rows of D were attacked (all, unless the attack skips)
  std::vector<bool> admissible;      // the example respects the attack's budget (Boundary: L2)
  std::vector<double> perturbation;  // per attacked row: L2 (images) / share of words (text)
  std::int64_t queries = 0;
  double wall_s = 0;
  nlohmann::json params = nlohmann::json::object();
};

Tensor gather_rows(const Tensor& t, std::span<const std::int64_t> rows) {
  Shape shape = t.shape;
  shape[0] = static_cast<std::int64_t>(rows.size());
  Tensor out(shape);
  const std::size_t n = t.row_size();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto src = t.row(rows[i]);
    std::copy(src.begin(), src.end(), out.data.begin() + static_cast<std::ptrdiff_t>(i * n));
  }
  return out;
}

double l2(std::span<const float> a, std::span<const float> b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return std::sqrt(s);
}

double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// One artefact in its worker, as RQ3 sees it: float32 rows in (token ids cast exactly to the
// model's int64 input), the first output (class scores) out.
class Runner {
 public:
  Runner(const ArtefactResult& a, const WorkerSettings& w, std::int64_t batch, DType input_dtype)
      : model_(a.worker, a.artefact.path, load_options(a.artefact, w), w, a.artefact.role + "-rq3"),
        batch_(batch),
        dtype_(input_dtype) {}
  Tensor outputs(const Tensor& x) {
    return to_f32(model_.run_set(model_.feed(x, dtype_), batch_).outputs.front());
  }
  Tensor predict(const Tensor& x) {
    return to_f32(model_.run(model_.feed(x, dtype_)).outputs.front());
  }
  Tensor gradient(const Tensor& x, std::span<const std::int64_t> y) {
    return model_.loss_gradient(x, y);
  }

 private:
  ModelRunner model_;
  std::int64_t batch_;
  DType dtype_;
};

AttackRun run_attack(const std::string& attack, Runner& original, const Manifest& m,
                     const Tensor& x, std::span<const std::int64_t> y,
                     const RobustnessOptions& opt) {
  Oracle oracle(
      [&](const Tensor& b) { return original.predict(b); },
      [&](const Tensor& b, std::span<const std::int64_t> l) { return original.gradient(b, l); },
      opt.batch_size);
  AttackRun run;
  const auto t0 = Clock::now();
  if (attack == "fgsm") {
    const auto it = opt.fgsm_epsilon.find(m.dataset);
    const double eps =
        it != opt.fgsm_epsilon.end() ? it->second : dataset_spec(m.dataset).fgsm_epsilon;
    if (eps <= 0) fail<UsageError>("no FGSM epsilon configured for dataset '{}'", m.dataset);
    const FgsmOptions fo{eps};
    const auto domain =
        image_input_domain(m.dataset, parse_layout(m.layout), std::span(m.input_shape));
    run.adversarial = fgsm(oracle, x, y, domain, fo);
    run.params = {{"epsilon", fo.epsilon}, {"epsilon_unit", "share of each element's range"}};
  } else if (attack == "boundary") {
    const auto domain =
        image_input_domain(m.dataset, parse_layout(m.layout), std::span(m.input_shape));
    BoundaryOptions bo = opt.boundary;
    const auto it = opt.boundary_l2_budget.find(m.dataset);
    bo.l2_budget =
        it != opt.boundary_l2_budget.end() ? it->second : boundary_default_l2_budget(m.dataset);
    bo.seed = static_cast<std::uint64_t>(opt.seed);
    const BoundaryResult br = boundary_attack(oracle, x, y, domain.lower, domain.upper, bo);
    run.adversarial = br.adversarial;
    for (std::size_t i = 0; i < br.samples.size(); ++i) {
      const auto& s = br.samples[i];
      run.rows.push_back(static_cast<std::int64_t>(i));
      // Outside the L2 budget (or never adversarial) the example does not count as a success on
      // either model: the budget is a property of the example, not of the model.
      run.admissible.push_back(s.status == BoundaryStatus::attacked && s.l2 <= bo.l2_budget);
      run.perturbation.push_back(s.l2);
    }
    run.params = {
        {"steps", bo.steps},
        {"steps_run", br.steps_run},
        {"l2_budget", bo.l2_budget},
        {"spherical_step", bo.spherical_step},
        {"source_step", bo.source_step},
        {"init_directions", bo.init_directions},
        {"max_queries", bo.max_queries},
        {"no_starting_point", std::count_if(br.samples.begin(), br.samples.end(), [](auto& s) {
           return s.status == BoundaryStatus::no_starting_point;
         })}};
  } else if (attack == "genetic") {
    const auto& in = m.raw.at("input");
    const Vocabulary vocab = Vocabulary::load(m.dir / in.at("vocab_file").get<std::string>());
    const SynonymTable synonyms =
        opt.embedding_file.empty()
            ? wordnet_synonyms(vocab, {opt.wordnet_dir, static_cast<std::size_t>(opt.genetic.k)})
            : embedding_neighbours(vocab,
                                   {opt.embedding_file, static_cast<std::size_t>(opt.genetic.k),
                                    opt.embedding_max_distance});
    GeneticOptions go = opt.genetic;
    go.seed = static_cast<std::uint64_t>(opt.seed);
    const GeneticReport gr = genetic_attack(oracle, x, y, synonyms, go);
    std::vector<Tensor> rows;
    for (std::size_t i = 0; i < gr.results.size(); ++i) {
      const auto& r = gr.results[i];
      if (r.skipped) continue;
      run.rows.push_back(static_cast<std::int64_t>(i));
      rows.emplace_back(Shape{1, static_cast<std::int64_t>(r.adversarial.size())}, r.adversarial);
      run.perturbation.push_back(r.modified_ratio);
    }
    if (rows.empty())
      fail("no input of D was attacked (none has {}-{} words)", go.min_words, go.max_words);
    run.adversarial = concat_rows(rows);
    run.params = {
        {"population", go.population},
        {"generations", go.generations},
        {"max_modified_ratio", go.max_modified_ratio},
        {"words", {go.min_words, go.max_words}},
        {"k", go.k},
        {"max_queries_per_text", go.max_queries},
        {"synonyms", opt.embedding_file.empty()
                         ? "wordnet " + opt.wordnet_dir.string()
                         : fmt::format("embedding {} (distance < {})", opt.embedding_file.string(),
                                       opt.embedding_max_distance)},
        {"skipped", gr.totals.skipped}};
  } else {
    fail<UsageError>("unknown attack '{}' (known: fgsm, boundary, genetic)", attack);
  }
  run.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  run.queries = oracle.queries() + oracle.gradient_queries();
  if (run.rows.empty()) {
    run.rows.resize(static_cast<std::size_t>(x.rows()));
    std::iota(run.rows.begin(), run.rows.end(), 0);
  }
  if (run.admissible.empty()) run.admissible.assign(run.rows.size(), true);
  if (run.perturbation.empty())
    for (std::size_t i = 0; i < run.rows.size(); ++i)
      run.perturbation.push_back(
          l2(run.adversarial.row(static_cast<std::int64_t>(i)), x.row(run.rows[i])));
  return run;
}

// Share of attacked rows that are admissible and misclassified w.r.t. the true label.
double success_rate(const Tensor& outputs, const AttackRun& run, std::span<const std::int64_t> y) {
  const auto pred = argmax_rows(outputs);
  if (pred.empty()) return 0;
  std::int64_t hits = 0;
  for (std::size_t i = 0; i < pred.size(); ++i)
    hits += run.admissible[i] && pred[i] != y[static_cast<std::size_t>(run.rows[i])];
  return static_cast<double>(hits) / static_cast<double>(pred.size());
}

}  // namespace

bool attack_applies(const std::string& attack, const std::string& dataset) {
  return is_image_dataset(dataset) ? attack == "fgsm" || attack == "boundary" : attack == "genetic";
}

std::vector<AttackRecord> run_robustness(const EvalResult& eval, const RobustnessOptions& opt) {
  const Manifest& m = eval.manifest;
  const std::string id = opt.label.empty() ? fmt::format("{}/{}", m.model, m.framework) : opt.label;
  std::vector<std::string> attacks;
  for (const auto& a : opt.attacks)
    if (attack_applies(a, m.dataset)) attacks.push_back(a);
  if (attacks.empty()) return {};

  // The conversions RQ3 compares: one record per conversion, in its chosen runtime.
  const ArtefactResult& orig = eval.artefacts.front();
  std::vector<const ArtefactResult*> converted;
  for (const auto& a : eval.artefacts) {
    if (&a == &orig) continue;
    // Not-runnable and unconverted artefacts have no worker; other runtimes' rows are not RQ3's.
    if (a.worker.empty() || a.worker == opt.converted_runtime) converted.push_back(&a);
  }
  const auto records_for = [&](const std::string& attack) {
    std::vector<AttackRecord> out;
    for (const auto* c : converted) {
      AttackRecord r;
      r.attack = attack;
      r.role = c->artefact.role;
      r.worker = c->status == ArtefactStatus::ok ? c->worker : "";
      r.status = std::string(to_string(c->status));
      r.error = c->error;
      out.push_back(std::move(r));
    }
    return out;
  };
  std::vector<AttackRecord> out;
  const auto fail_all = [&](const std::string& why) {
    for (const auto& a : attacks)
      for (auto r : records_for(a)) {
        r.status = "failed";
        r.error = why;
        out.push_back(std::move(r));
      }
    spdlog::error("{}: RQ3: {}", id, why);
    return out;
  };
  if (orig.status != ArtefactStatus::ok || orig.outputs.rows() != eval.data.inputs.rows())
    return fail_all("the original could not be run: " + orig.error);

  // D: correctly classified by the original and by every conversion that ran; then a seeded draw.
  const auto& labels = eval.data.labels;
  std::vector<const Tensor*> outs{&orig.outputs};
  for (const auto* c : converted)
    if (c->status == ArtefactStatus::ok) outs.push_back(&c->outputs);
  std::vector<std::int64_t> pool;
  // The GA attacks only texts of min..max words: draw D among those, so that N means N attacked.
  const bool by_length = !is_image_dataset(m.dataset) &&
                         std::find(attacks.begin(), attacks.end(), "genetic") != attacks.end();
  const auto words = [&](std::size_t i) {
    const auto r = eval.data.inputs.row(static_cast<std::int64_t>(i));
    return std::count_if(r.begin(), r.end(), [](float v) { return v != 0.0f; });
  };
  {
    std::vector<std::vector<std::int64_t>> preds;
    preds.reserve(outs.size());
    for (const auto* o : outs) preds.push_back(argmax_rows(*o));
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (std::all_of(preds.begin(), preds.end(), [&](auto& p) { return p[i] == labels[i]; }) &&
          (!by_length || (words(i) >= opt.genetic.min_words && words(i) <= opt.genetic.max_words)))
        pool.push_back(static_cast<std::int64_t>(i));
  }
  const std::size_t eligible = pool.size();
  std::mt19937_64 rng(static_cast<std::uint64_t>(opt.seed));
  std::shuffle(pool.begin(), pool.end(), rng);
  if (static_cast<std::int64_t>(pool.size()) > opt.inputs) pool.resize(opt.inputs);
  std::sort(pool.begin(), pool.end());
  if (pool.empty()) return fail_all("no test input is classified correctly by every model");
  const Tensor x = gather_rows(eval.data.inputs, pool);
  std::vector<std::int64_t> y;
  y.reserve(pool.size());
  for (auto i : pool) y.push_back(labels[static_cast<std::size_t>(i)]);
  spdlog::info(
      "{}: RQ3 on {} inputs ({} of {} test inputs are correct under every model{}), "
      "attacks: {}",
      id, pool.size(), eligible, labels.size(), by_length ? " and of 10-100 words" : "",
      fmt::join(attacks, ", "));

  const DType input_dtype = dataset_input_dtype(m.dataset);
  std::unique_ptr<Runner> original;
  try {
    original = std::make_unique<Runner>(orig, opt.workers, opt.batch_size, input_dtype);
  } catch (const Error& e) {
    return fail_all(fmt::format("the original's worker could not start: {}", e.what()));
  }
  std::map<const ArtefactResult*, std::unique_ptr<Runner>> runners;
  std::map<const ArtefactResult*, std::string> runner_error;

  for (const auto& attack : attacks) {
    auto recs = records_for(attack);
    AttackRun run;
    Tensor orig_out;
    try {
      run = run_attack(attack, *original, m, x, y, opt);
      orig_out = original->outputs(run.adversarial);
    } catch (const Error& e) {
      for (auto& r : recs) {
        r.status = "failed";
        r.error = fmt::format("{} on the original: {}", attack, e.what());
      }
      spdlog::error("{}: {}", id, recs.empty() ? std::string(e.what()) : recs.front().error);
      out.insert(out.end(), recs.begin(), recs.end());
      continue;
    }
    const double s_orig = success_rate(orig_out, run, y);
    std::vector<double> pert;
    const auto pred_orig = argmax_rows(orig_out);
    for (std::size_t i = 0; i < pred_orig.size(); ++i)
      if (run.admissible[i] && pred_orig[i] != y[static_cast<std::size_t>(run.rows[i])])
        pert.push_back(run.perturbation[i]);
    spdlog::info("{}: {} on the original: success {:.1f}% of {}, {} queries, {:.1f} s", id, attack,
                 100 * s_orig, run.rows.size(), run.queries, run.wall_s);
    for (std::size_t k = 0; k < recs.size(); ++k) {
      auto& r = recs[k];
      const ArtefactResult* c = converted[k];
      r.inputs = static_cast<std::int64_t>(pool.size());
      r.attacked = static_cast<std::int64_t>(run.rows.size());
      r.success_original = s_orig;
      if (!pert.empty()) r.median_perturbation = median(pert);
      r.queries = run.queries;
      r.attack_wall_s = run.wall_s;
      r.params = run.params;
      if (c->status != ArtefactStatus::ok) continue;
      try {
        if (const auto e = runner_error.find(c); e != runner_error.end()) fail("{}", e->second);
        auto& runner = runners[c];
        if (!runner)
          runner = std::make_unique<Runner>(*c, opt.workers, opt.batch_size, input_dtype);
        const Tensor conv_out = runner->outputs(run.adversarial);
        if (const auto bad = first_non_finite_row(conv_out))
          fail<DataError>("{} output of adversarial example {} is not finite", c->artefact.role,
                          *bad);
        const Fidelity f = compare_outputs(orig_out, conv_out);
        r.success_converted = success_rate(conv_out, run, y);
        r.misclassification = f.misclassification;
        r.abs_err_mean = f.abs_error.mean;
        r.abs_err_std = f.abs_error.std;
      } catch (const Error& e) {
        r.status = "failed";
        r.error = fmt::format("{} in {} on the adversarial set: {}", c->artefact.role, c->worker,
                              e.what());
        runner_error[c] = e.what();
        runners.erase(c);
        spdlog::error("{}: {}", id, r.error);
      }
    }
    out.insert(out.end(), recs.begin(), recs.end());
  }
  return out;
}

}  // namespace convbench
