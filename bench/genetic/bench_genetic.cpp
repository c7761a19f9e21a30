// Throughput of the genetic attack (Alzantot et al. 2018) against a real text model in a runtime
// worker: builds the synonym table, draws test reviews of 10..100 words that the model classifies
// correctly, attacks them and prints queries/s, examples/min, success rate and modified ratio.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "attack/genetic.hpp"
#include "attack/synonyms.hpp"
#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/test_set.hpp"
#include "data/vocabulary.hpp"
#include "runtime/model_runner.hpp"

using namespace convbench;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

static int run(int argc, char** argv) {
  CLI::App app{"Genetic attack throughput against an ONNX text model (ONNX Runtime worker)"};
  fs::path model, vocab_file, data_dir, embedding, json_out;
  std::string runtime = "onnxruntime";
  std::int64_t seq_len = 200, n = 50, pool = 2000, threads = 0;
  double max_distance = 0.5;
  GeneticOptions opt;
  app.add_option("--model", model, "Model file the worker loads (.onnx)")->required();
  app.add_option("--vocab", vocab_file, "The model's vocabulary (vocab.txt)")->required();
  app.add_option("--data-dir", data_dir, "IMDb dataset dir (aclImdb.tar.xz)")->required();
  app.add_option("--seq-len", seq_len, "Tokens per sample")->capture_default_str();
  app.add_option("-n", n, "Reviews to attack")->capture_default_str();
  app.add_option("--pool", pool, "Test reviews to draw them from")->capture_default_str();
  app.add_option("--embedding", embedding, "Word-embedding text file (default: WordNet)");
  app.add_option("--max-distance", max_distance, "Embedding: distance threshold")
      ->capture_default_str();
  app.add_option("--population", opt.population)->capture_default_str();
  app.add_option("--generations", opt.generations)->capture_default_str();
  app.add_option("--k", opt.k)->capture_default_str();
  app.add_option("--max-queries", opt.max_queries, "Per review; 0 = none")->capture_default_str();
  app.add_option("--lockstep", opt.lockstep)->capture_default_str();
  app.add_option("--seed", opt.seed)->capture_default_str();
  app.add_option("--threads", threads, "Runtime intra-op threads (0 = all)")->capture_default_str();
  app.add_option("--runtime", runtime, "Worker: onnxruntime, torch, ...")->capture_default_str();
  app.add_option("--json", json_out, "Write the measurements here as JSON");
  CLI11_PARSE(app, argc, argv);
  try {
    const auto vocab = Vocabulary::load(vocab_file);
    auto t0 = Clock::now();
    const SynonymTable synonyms =
        embedding.empty()
            ? wordnet_synonyms(vocab, {"/usr/share/wordnet", static_cast<std::size_t>(opt.k), true})
            : embedding_neighbours(vocab,
                                   {embedding, static_cast<std::size_t>(opt.k), max_distance, 0});
    const double table_s = seconds_since(t0);
    fmt::print("synonyms ({}): {:.2f} s for {} words; {} have candidates ({:.2f} per word)\n",
               embedding.empty() ? "WordNet" : embedding.string(), table_s, vocab.size(),
               synonyms.words_with_candidates(),
               static_cast<double>(synonyms.total_candidates()) /
                   std::max<double>(1, static_cast<double>(synonyms.words_with_candidates())));
    for (const std::string w : {"good", "bad", "movie", "great", "boring", "loved"}) {
      std::string line;
      for (const auto c : synonyms.candidates(vocab.id(w)))
        line += vocab.tokens()[static_cast<std::size_t>(c)] + " ";
      fmt::print("  {} -> {}\n", w, line);
    }

    TestSetOptions ts;
    ts.layout = "tokens";
    ts.limit = pool;
    ts.vocab_file = vocab_file;
    ts.seq_len = seq_len;
    const auto test = load_test_set("imdb", data_dir, ts);

    WorkerSettings ws;
    ws.threads = static_cast<int>(threads);
    ws.timeout = std::chrono::minutes(10);
    LoadOptions lo;
    lo.threads = static_cast<int>(threads);
    ModelRunner client(runtime, model, lo, ws, "bench");
    // Reviews of 10..100 words that the model classifies correctly (not counted as attack queries).
    std::vector<std::int64_t> keep;
    for (std::int64_t i = 0; i < test.inputs.rows(); ++i) {
      const auto r = test.inputs.row(i);
      const auto words = std::count_if(r.begin(), r.end(), [](float v) { return v != 0; });
      if (words >= opt.min_words && words <= opt.max_words) keep.push_back(i);
    }
    std::vector<Tensor> rows;
    rows.reserve(keep.size());
    for (const auto i : keep) rows.push_back(test.inputs.slice_rows(i, i + 1));
    const Tensor candidates = concat_rows(rows);
    const Tensor probs = to_f32(
        client.run_set(client.feed(candidates, DType::i64), 256).outputs.front());
    Tensor chosen_rows;
    std::vector<Tensor> chosen;
    std::vector<std::int64_t> labels;
    std::int64_t correct = 0;
    for (std::size_t j = 0; j < keep.size(); ++j) {
      const auto p = probs.row(static_cast<std::int64_t>(j));
      const auto pred = std::max_element(p.begin(), p.end()) - p.begin();
      if (pred != test.labels[static_cast<std::size_t>(keep[j])]) continue;
      ++correct;
      if (static_cast<std::int64_t>(labels.size()) < n) {
        chosen.push_back(
            candidates.slice_rows(static_cast<std::int64_t>(j), static_cast<std::int64_t>(j) + 1));
        labels.push_back(test.labels[static_cast<std::size_t>(keep[j])]);
      }
    }
    fmt::print(
        "{} of {} test reviews have {}..{} words; the model gets {} of them right; "
        "attacking {}\n",
        keep.size(), test.inputs.rows(), opt.min_words, opt.max_words, correct, labels.size());
    if (labels.empty()) fail<UsageError>("no review to attack");
    const Tensor inputs = concat_rows(chosen);

    double model_s = 0;
    Oracle oracle(
        [&](const Tensor& batch) {
          auto reply = client.run(client.feed(batch, DType::i64));
          model_s += reply.run_s;
          return to_f32(reply.outputs.front());
        },
        {}, 4096);
    t0 = Clock::now();
    const auto rep = genetic_attack(oracle, inputs, labels, synonyms, opt);
    const double attack_s = seconds_since(t0);
    const auto& tot = rep.totals;
    std::int64_t q_succ = 0;
    std::vector<std::int64_t> gens;
    for (const auto& r : rep.results)
      if (r.success) {
        q_succ += r.queries;
        gens.push_back(r.generations);
      }
    const double qps = static_cast<double>(tot.queries) / attack_s;
    const double epm = static_cast<double>(tot.attacked) / attack_s * 60.0;
    fmt::print(
        "attack: {} reviews in {:.1f} s (model {:.1f} s in the worker); {} queries, "
        "{:.0f} queries/s, {:.1f} examples/min\n",
        tot.attacked, attack_s, model_s, tot.queries, qps, epm);
    fmt::print(
        "success {}/{} = {:.1f} %, mean modified ratio {:.3f}, mean queries per success "
        "{:.0f}\n",
        tot.succeeded, tot.attacked, 100 * tot.success_rate, tot.mean_modified_ratio,
        tot.succeeded ? static_cast<double>(q_succ) / static_cast<double>(tot.succeeded) : 0.0);
    // Two examples of what was changed.
    int shown = 0;
    for (std::size_t i = 0; i < rep.results.size() && shown < 3; ++i) {
      const auto& r = rep.results[i];
      if (!r.success) continue;
      ++shown;
      std::string diff;
      const auto o = inputs.row(static_cast<std::int64_t>(i));
      for (std::size_t p = 0; p < o.size(); ++p)
        if (o[p] != r.adversarial[p])
          diff += fmt::format("{}->{} ", vocab.tokens()[static_cast<std::size_t>(o[p])],
                              vocab.tokens()[static_cast<std::size_t>(r.adversarial[p])]);
      fmt::print("  review {} ({} words, label {}): {}\n", i, r.words, r.label, diff);
    }
    if (!json_out.empty()) {
      nlohmann::json j{{"runtime", runtime},
                       {"synonyms", embedding.empty() ? "wordnet" : embedding.string()},
                       {"synonym_table_s", table_s},
                       {"attacked", tot.attacked},
                       {"succeeded", tot.succeeded},
                       {"success_rate", tot.success_rate},
                       {"mean_modified_ratio", tot.mean_modified_ratio},
                       {"queries", tot.queries},
                       {"attack_s", attack_s},
                       {"model_s", model_s},
                       {"queries_per_s", qps},
                       {"examples_per_min", epm},
                       {"population", opt.population},
                       {"generations", opt.generations},
                       {"max_queries", opt.max_queries}};
      const auto text = j.dump(2);
      write_file(json_out, text.data(), text.size());
    }
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "error: unknown exception\n";
  }
  return 2;
}
