#include "attack/genetic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "core/error.hpp"
#include "data/vocabulary.hpp"

namespace convbench {
namespace {

using Tokens = std::vector<std::int64_t>;
constexpr auto kNone = std::numeric_limits<std::size_t>::max();

// Own samplers on top of the raw engine: the std:: distributions are implementation-defined, and
// a seed must give the same attack with any standard library.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
std::size_t uniform_index(std::size_t n, std::mt19937_64& rng) {
  return std::min(n - 1, static_cast<std::size_t>(uniform01(rng) * static_cast<double>(n)));
}
// Index i with probability w[i] / sum(w); the weights are non-negative with a positive sum.
std::size_t weighted_index(std::span<const double> w, std::mt19937_64& rng) {
  double total = 0;
  for (const double x : w) total += x;
  const double u = uniform01(rng) * total;
  double acc = 0;
  std::size_t last = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] <= 0) continue;
    acc += w[i];
    last = i;
    if (u < acc) return i;
  }
  return last;  // rounding at the top end
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Member {
  Tokens tokens;
  double fitness = 0;       // 1 - p(true label)
  std::int64_t label = -1;  // the model's argmax
};

// One Perturb, prepared: the rows it sends (the base itself when its fitness is unknown, then one
// row per substitute at `position`) and, once answered, the member it yields.
struct PerturbJob {
  Member base;
  bool base_known = true;
  std::size_t position = kNone;
  std::vector<std::int64_t> substitutes;
  std::size_t rows() const { return (base_known ? 0 : 1) + substitutes.size(); }
};

struct TextState {
  std::size_t index = 0;  // row of the input
  Tokens original;
  std::vector<std::size_t> positions;  // word (non-pad) positions
  std::vector<double> weight;          // per word position: its number of candidates (0: never)
  std::int64_t max_modified = 0;
  std::int64_t label = 0;
  std::mt19937_64 rng;
  std::vector<Member> population;
  std::vector<PerturbJob> jobs;
  bool active = false;
};

class GeneticSearch {
 public:
  GeneticSearch(Oracle& oracle, const SynonymTable& synonyms, const GeneticOptions& opt,
                std::int64_t seq_len)
      : oracle_(oracle), synonyms_(synonyms), opt_(opt), seq_len_(seq_len) {}

  void run(std::span<TextState> texts, std::span<GeneticResult> results);

 private:
  std::int64_t modified(const TextState& s, const Tokens& t) const {
    std::int64_t m = 0;
    for (const auto p : s.positions) m += t[p] != s.original[p];
    return m;
  }
  std::span<const std::int64_t> candidates(const TextState& s, std::size_t p) const {
    const auto c = synonyms_.candidates(s.original[p]);
    return c.first(std::min<std::size_t>(c.size(), static_cast<std::size_t>(opt_.k)));
  }
  PerturbJob prepare_perturb(TextState& s, Member base, bool known) const;
  Member finish_perturb(const TextState& s, PerturbJob& job, const Tensor& probs,
                        std::int64_t& row) const;
  Member scored(const TextState& s, Tokens tokens, std::span<const float> p) const;
  Member crossover(TextState& s, const Member& a, const Member& b) const;
  // Sends the jobs of every active text in one oracle call and replaces each text's population
  // with their results (after `keep`, the members kept as they are: the elite).
  void run_round(std::span<TextState> texts, std::span<GeneticResult> results,
                 std::span<const std::vector<Member>> keep);
  void finish(TextState& s, GeneticResult& r, bool success, std::string reason) const;

  Oracle& oracle_;
  const SynonymTable& synonyms_;
  const GeneticOptions& opt_;
  std::int64_t seq_len_;
};

Member GeneticSearch::scored(const TextState& s, Tokens tokens, std::span<const float> p) const {
  if (s.label < 0 || static_cast<std::size_t>(s.label) >= p.size())
    fail<UsageError>("genetic attack: label {} of input {} is not one of the model's {} classes",
                     s.label, s.index, p.size());
  Member m{std::move(tokens), 1.0 - static_cast<double>(p[static_cast<std::size_t>(s.label)]),
           static_cast<std::int64_t>(std::max_element(p.begin(), p.end()) - p.begin())};
  return m;
}

PerturbJob GeneticSearch::prepare_perturb(TextState& s, Member base, bool known) const {
  PerturbJob job{std::move(base), known, kNone, {}};
  const bool at_limit = modified(s, job.base.tokens) >= s.max_modified;
  // Below the limit: an unmodified position; at it: a modified one (the count cannot grow).
  std::vector<double> w(s.positions.size(), 0.0);
  bool any = false;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const auto p = s.positions[i];
    const bool is_modified = job.base.tokens[p] != s.original[p];
    if (is_modified != at_limit || s.weight[i] <= 0) continue;
    if (is_modified && candidates(s, p).size() < 2) continue;  // nothing else to swap in
    w[i] = s.weight[i];
    any = true;
  }
  if (!any || s.max_modified == 0) return job;
  job.position = s.positions[weighted_index(w, s.rng)];
  for (const auto c : candidates(s, job.position))
    if (c != job.base.tokens[job.position]) job.substitutes.push_back(c);
  return job;
}

Member GeneticSearch::finish_perturb(const TextState& s, PerturbJob& job, const Tensor& probs,
                                     std::int64_t& row) const {
  if (!job.base_known) job.base = scored(s, std::move(job.base.tokens), probs.row(row++));
  // The best substitute if it is strictly fitter than the base (as the reference), else the base.
  std::size_t best = kNone;
  double best_fitness = job.base.fitness;
  std::span<const float> best_probs;
  for (std::size_t i = 0; i < job.substitutes.size(); ++i) {
    const auto p = probs.row(row++);
    const double fitness = 1.0 - static_cast<double>(p[static_cast<std::size_t>(s.label)]);
    if (fitness > best_fitness) {
      best = i;
      best_fitness = fitness;
      best_probs = p;
    }
  }
  if (best == kNone) return std::move(job.base);
  Tokens t = std::move(job.base.tokens);
  t[job.position] = job.substitutes[best];
  return scored(s, std::move(t), best_probs);
}

Member GeneticSearch::crossover(TextState& s, const Member& a, const Member& b) const {
  Member child{a.tokens, 0, -1};
  for (const auto p : s.positions)
    if (s.rng() >> 63) child.tokens[p] = b.tokens[p];
  std::vector<std::size_t> changed;
  for (const auto p : s.positions)
    if (child.tokens[p] != s.original[p]) changed.push_back(p);
  while (static_cast<std::int64_t>(changed.size()) > s.max_modified) {
    const auto i = uniform_index(changed.size(), s.rng);
    child.tokens[changed[i]] = s.original[changed[i]];
    changed.erase(changed.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return child;
}

void GeneticSearch::run_round(std::span<TextState> texts, std::span<GeneticResult> results,
                              std::span<const std::vector<Member>> keep) {
  std::int64_t rows = 0;
  for (std::size_t t = 0; t < texts.size(); ++t) {
    auto& s = texts[t];
    if (!s.active) continue;
    std::int64_t need = 0;
    for (const auto& j : s.jobs) need += static_cast<std::int64_t>(j.rows());
    if (opt_.max_queries > 0 && results[t].queries + need > opt_.max_queries) {
      finish(s, results[t], false,
             fmt::format("query budget of {} would be exceeded", opt_.max_queries));
      continue;
    }
    results[t].queries += need;
    rows += need;
  }
  if (std::none_of(texts.begin(), texts.end(), [](const auto& s) { return s.active; })) return;
  Tensor batch(Shape{rows, seq_len_});
  std::size_t at = 0;
  const auto put = [&](const Tokens& t) {
    for (const auto v : t) batch.data[at++] = static_cast<float>(v);
  };
  for (auto& s : texts) {
    if (!s.active) continue;
    for (const auto& j : s.jobs) {
      if (!j.base_known) put(j.base.tokens);
      Tokens t = j.base.tokens;
      for (const auto c : j.substitutes) {
        t[j.position] = c;
        put(t);
      }
    }
  }
  const Tensor probs = rows > 0 ? oracle_.probabilities(batch) : Tensor{};
  if (probs.rows() != rows)
    fail<WorkerError>("genetic attack: the model answered {} rows for {}", probs.rows(), rows);
  std::int64_t row = 0;
  for (std::size_t t = 0; t < texts.size(); ++t) {
    auto& s = texts[t];
    if (!s.active) continue;
    std::vector<Member> next = keep.empty() ? std::vector<Member>{} : keep[t];
    for (auto& j : s.jobs) next.push_back(finish_perturb(s, j, probs, row));
    s.population = std::move(next);
    s.jobs.clear();
  }
}

void GeneticSearch::finish(TextState& s, GeneticResult& r, bool success, std::string reason) const {
  s.active = false;
  const Member* best = nullptr;
  for (const auto& m : s.population)
    if (!best || m.fitness > best->fitness) best = &m;
  const Tokens& t = best ? best->tokens : s.original;
  r.adversarial.assign(t.begin(), t.end());
  r.success = success;
  r.reason = std::move(reason);
  r.modified = modified(s, t);
  r.modified_ratio = r.words ? static_cast<double>(r.modified) / static_cast<double>(r.words) : 0;
  r.adversarial_label = best ? best->label : r.adversarial_label;
  s.population.clear();
}

void GeneticSearch::run(std::span<TextState> texts, std::span<GeneticResult> results) {
  // Initial population: Perturbs of the original (whose fitness is known).
  for (auto& s : texts) {
    if (!s.active) continue;
    const Member orig = s.population.front();
    s.population.clear();
    for (std::int64_t i = 0; i < opt_.population; ++i)
      s.jobs.push_back(prepare_perturb(s, orig, true));
  }
  run_round(texts, results, {});
  for (std::int64_t gen = 0;; ++gen) {
    std::vector<std::vector<Member>> elites(texts.size());
    bool any = false;
    for (std::size_t t = 0; t < texts.size(); ++t) {
      auto& s = texts[t];
      if (!s.active) continue;
      const auto best =
          std::max_element(s.population.begin(), s.population.end(),
                           [](const Member& a, const Member& b) { return a.fitness < b.fitness; });
      if (best->label != s.label) {
        finish(s, results[t], true, "");
        continue;
      }
      if (gen == opt_.generations) {
        finish(s, results[t], false,
               fmt::format("no adversarial example within {} generations", opt_.generations));
        continue;
      }
      any = true;
      std::vector<double> select(s.population.size());
      for (std::size_t i = 0; i < select.size(); ++i)
        select[i] = std::exp((s.population[i].fitness - best->fitness) / opt_.temperature);
      elites[t].push_back(*best);
      for (std::int64_t c = 1; c < opt_.population; ++c) {
        const auto& a = s.population[weighted_index(select, s.rng)];
        const auto& b = s.population[weighted_index(select, s.rng)];
        s.jobs.push_back(prepare_perturb(s, crossover(s, a, b), false));
      }
      ++results[t].generations;
    }
    if (!any) break;
    run_round(texts, results, elites);
  }
}

void check_options(const GeneticOptions& o) {
  if (o.population < 1 || o.generations < 0 || o.k < 1 || o.lockstep < 1 || o.max_queries < 0 ||
      o.skip_most_frequent < 0 || !(o.temperature > 0) || !(o.max_modified_ratio >= 0) ||
      o.max_modified_ratio > 1 || o.min_words < 1 || o.max_words < o.min_words)
    fail<UsageError>(
        "genetic attack: bad options (population {}, generations {}, k {}, lockstep {}, "
        "max_queries {}, skip_most_frequent {}, temperature {}, max_modified_ratio {}, words "
        "{}..{})",
        o.population, o.generations, o.k, o.lockstep, o.max_queries, o.skip_most_frequent,
        o.temperature, o.max_modified_ratio, o.min_words, o.max_words);
}

}  // namespace

GeneticReport genetic_attack(Oracle& oracle, const Tensor& inputs,
                             std::span<const std::int64_t> labels, const SynonymTable& synonyms,
                             const GeneticOptions& opt) {
  check_options(opt);
  if (inputs.shape.size() != 2)
    fail<UsageError>("genetic attack: inputs must be [n, seq_len] token ids, got {}",
                     shape_str(inputs.shape));
  const std::int64_t n = inputs.rows(), seq_len = inputs.shape[1];
  if (static_cast<std::int64_t>(labels.size()) != n)
    fail<UsageError>("genetic attack: {} labels for {} inputs", labels.size(), n);

  GeneticReport report;
  report.results.resize(static_cast<std::size_t>(n));
  GeneticSearch search(oracle, synonyms, opt, seq_len);
  const auto first_protected = Vocabulary::kUnk + 1,
             end_protected = first_protected + opt.skip_most_frequent;

  for (std::int64_t g0 = 0; g0 < n; g0 += opt.lockstep) {
    const auto g1 = std::min(n, g0 + opt.lockstep);
    std::vector<TextState> texts(static_cast<std::size_t>(g1 - g0));
    const std::span<GeneticResult> results(report.results.data() + g0, texts.size());
    std::vector<std::size_t> to_classify;
    for (std::size_t t = 0; t < texts.size(); ++t) {
      auto& s = texts[t];
      auto& r = results[t];
      s.index = static_cast<std::size_t>(g0) + t;
      s.label = r.label = labels[s.index];
      const auto row = inputs.row(static_cast<std::int64_t>(s.index));
      r.adversarial.assign(row.begin(), row.end());
      for (std::size_t p = 0; p < row.size(); ++p) {
        const float v = row[p];
        if (!(v >= 0) || v != std::floor(v) || v > 1e15f)
          fail<UsageError>("genetic attack: input {} position {} holds {}, not a token id", s.index,
                           p, v);
        s.original.push_back(static_cast<std::int64_t>(v));
        if (s.original.back() != Vocabulary::kPad) s.positions.push_back(p);
      }
      r.words = static_cast<std::int64_t>(s.positions.size());
      if (r.words < opt.min_words || r.words > opt.max_words) {
        r.skipped = true;
        r.reason = fmt::format("{} words, outside {}..{}", r.words, opt.min_words, opt.max_words);
        continue;
      }
      to_classify.push_back(t);
    }
    // The originals' labels and fitness: one call for the group.
    if (!to_classify.empty()) {
      Tensor batch(Shape{static_cast<std::int64_t>(to_classify.size()), seq_len});
      for (std::size_t i = 0; i < to_classify.size(); ++i) {
        const auto& o = texts[to_classify[i]].original;
        std::transform(o.begin(), o.end(),
                       batch.data.begin() + static_cast<std::ptrdiff_t>(i) * seq_len,
                       [](std::int64_t v) { return static_cast<float>(v); });
      }
      const Tensor probs = oracle.probabilities(batch);
      for (std::size_t i = 0; i < to_classify.size(); ++i) {
        auto& s = texts[to_classify[i]];
        auto& r = results[to_classify[i]];
        r.queries = 1;
        Member orig{s.original, 0, -1};
        const auto p = probs.row(static_cast<std::int64_t>(i));
        if (s.label < 0 || static_cast<std::size_t>(s.label) >= p.size())
          fail<UsageError>(
              "genetic attack: label {} of input {} is not one of the model's {} "
              "classes",
              s.label, s.index, p.size());
        orig.fitness = 1.0 - static_cast<double>(p[static_cast<std::size_t>(s.label)]);
        orig.label = static_cast<std::int64_t>(std::max_element(p.begin(), p.end()) - p.begin());
        r.adversarial_label = orig.label;
        if (orig.label != s.label) {
          r.skipped = true;
          r.reason = fmt::format("misclassified by the model (label {}, predicted {})", s.label,
                                 orig.label);
          continue;
        }
        for (const auto pos : s.positions) {
          const auto id = s.original[pos];
          const bool protected_word = id >= first_protected && id < end_protected;
          const auto c = synonyms.candidates(id);
          s.weight.push_back(protected_word ? 0.0 : static_cast<double>(c.size()));
        }
        s.max_modified = static_cast<std::int64_t>(
            std::floor(opt.max_modified_ratio * static_cast<double>(r.words) + 1e-9));
        s.rng.seed(splitmix64(opt.seed ^ splitmix64(s.index)));
        s.population.push_back(std::move(orig));
        s.active = true;
        if (std::all_of(s.weight.begin(), s.weight.end(), [](double w) { return w <= 0; })) {
          s.active = false;  // a failure, not a skip: the attack has nothing to try
          r.reason = "no word of the text has a substitute";
        }
      }
    }
    search.run(texts, results);
  }

  auto& tot = report.totals;
  tot.inputs = n;
  for (const auto& r : report.results) {
    tot.queries += r.queries;
    if (r.skipped) {
      ++tot.skipped;
      continue;
    }
    ++tot.attacked;
    if (r.success) {
      ++tot.succeeded;
      tot.mean_modified_ratio += r.modified_ratio;
    }
  }
  if (tot.attacked) tot.success_rate = static_cast<double>(tot.succeeded) / tot.attacked;
  if (tot.succeeded) tot.mean_modified_ratio /= static_cast<double>(tot.succeeded);
  return report;
}

}  // namespace convbench
