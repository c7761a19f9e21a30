#pragma once
// The genetic word-substitution attack of Alzantot et al. 2018 ("Generating Natural Language
// Adversarial Examples"; reference: github.com/nesl/nlp_adversarial_examples, attacks.py), on
// text models whose input is a row of token ids (front-padded with <pad> = 0). Untargeted: the
// fitness of a candidate text is 1 - p(true label) (for a 2-class model, the probability of the
// other class), and a text is adversarial when the model's argmax is no longer the true label.
//
// Population-based search over substitutions from a SynonymTable:
//  - Perturb(x): pick a word position not yet modified, with probability proportional to its
//    number of candidates, try every candidate there (one query each) and keep the best if it
//    raises the fitness (else x itself). At the modification limit, an already modified position
//    is picked instead (its substitute swapped for another of the original word's candidates),
//    so the count never grows past the limit.
//  - Initial population: `population` Perturbs of the original.
//  - Each generation: stop if the best member is adversarial; keep it (elite); draw parents from
//    softmax(fitness / temperature); uniform crossover (each word from either parent); Perturb
//    every child. A child of two parents may hold more modifications than allowed; random ones
//    are reverted to the original word until it is within the limit.
// Differences from the reference are listed in docs/attacks-genetic.md (no language-model
// filter, cached fitness of population members, the limit enforced during the search).
//
// Batched: every query of a generation, for all population members of all texts in a lockstep
// group, goes to the oracle in one call. Deterministic for a seed: each text has its own
// std::mt19937_64 seeded from (seed, the text's index), so results do not depend on grouping.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "attack/oracle.hpp"
#include "attack/synonyms.hpp"
#include "core/tensor.hpp"

namespace convbench {

struct GeneticOptions {
  std::int64_t population = 60;
  std::int64_t generations = 20;         // breeding rounds after the initial population
  double max_modified_ratio = 0.25;      // modified words <= floor(ratio * words)
  std::int64_t min_words = 10;           // only texts of min_words..max_words words are attacked
  std::int64_t max_words = 100;          // (words = non-pad tokens)
  std::int64_t k = 8;                    // candidates tried per position (the table's first k)
  double temperature = 0.3;              // parent selection: softmax(fitness / temperature)
  std::int64_t max_queries = 0;          // per text, its first classification included; 0 = none
  std::int64_t skip_most_frequent = 26;  // vocabulary ids 2..27 ("the", "a", ...) never replaced
  std::int64_t lockstep = 16;            // texts attacked together (one oracle call per round)
  std::uint64_t seed = 0;
};

struct GeneticResult {
  std::vector<float> adversarial;      // the token row: adversarial if `success`, else the fittest
  bool success = false;                // found (within the limits and the query budget)
  bool skipped = false;                // not attacked; `reason` says why
  std::string reason;                  // skipped: why; failed: why the search stopped
  std::int64_t words = 0;              // non-pad tokens of the input
  std::int64_t modified = 0;           // positions of `adversarial` that differ from the input
  double modified_ratio = 0;           // modified / words
  std::int64_t queries = 0;            // rows sent to the oracle for this text
  std::int64_t generations = 0;        // breeding rounds run
  std::int64_t label = 0;              // the true label
  std::int64_t adversarial_label = 0;  // the model's label for `adversarial`
};

struct GeneticTotals {
  std::int64_t inputs = 0, attacked = 0, skipped = 0, succeeded = 0;
  double success_rate = 0;         // succeeded / attacked (0 when none attacked)
  double mean_modified_ratio = 0;  // over successes
  std::int64_t queries = 0;        // rows sent to the oracle, all texts
};

struct GeneticReport {
  std::vector<GeneticResult> results;  // one per input row, in order
  GeneticTotals totals;
};

// `inputs`: [n, seq_len] token ids as float32; `labels`: the true label of each row. A row the
// model already misclassifies is skipped (one query spent). UsageError on bad options or shapes.
GeneticReport genetic_attack(Oracle& oracle, const Tensor& inputs,
                             std::span<const std::int64_t> labels, const SynonymTable& synonyms,
                             const GeneticOptions& opt = {});

}  // namespace convbench
