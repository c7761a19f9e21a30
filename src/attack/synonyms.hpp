#pragma once
// Where a word-substitution attack gets its substitutes: for every id of the model's vocabulary,
// its candidates (ids of the SAME vocabulary), nearest first, at most k. Words outside the model's
// vocabulary can never be fed to the model, so they are dropped when a table is built.
//
// Two sources:
//  - WordNet (the default: no embedding file can be downloaded on these machines): the other
//    single-word lemmas of the word's synsets. WordNet has no distance; the proxy is sense rank
//    (see `WordNet::synonyms`).
//  - A word-embedding text file (GloVe / counter-fitted format, `word v1 v2 ...` per line): the
//    k nearest neighbours by Euclidean distance below a threshold (Alzantot et al. 2018 use
//    counter-fitted vectors, k = 8, distance < 0.5).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace convbench {

class Vocabulary;

class SynonymTable {
 public:
  SynonymTable() = default;
  // lists[id] = the candidates of vocabulary id `id`, nearest first. UsageError if a list holds an
  // id outside [0, lists.size()), a reserved id (<pad>, <unk>), the word itself or a repeat.
  explicit SynonymTable(std::vector<std::vector<std::int64_t>> lists);

  // Empty for reserved ids and ids outside the table.
  std::span<const std::int64_t> candidates(std::int64_t id) const;
  std::size_t size() const { return lists_.size(); }
  std::size_t words_with_candidates() const;
  std::size_t total_candidates() const;

 private:
  std::vector<std::vector<std::int64_t>> lists_;
};

// The WordNet 3.0 database as Debian's `wordnet-base` installs it (index.* and data.* of the four
// parts of speech). The data files are kept in memory and synsets parsed when asked for.
class WordNet {
 public:
  // DataError naming the file if a file is missing or not in the WordNet database format.
  static WordNet load(const std::filesystem::path& dir = "/usr/share/wordnet");

  // Synonyms of `word` (lowercased), best first, without repeats and without `word` itself:
  // the other single-word lemmas (no multi-word "a_b" lemmas), lowercased, of the word's synsets.
  // Order ("distance" proxy): synsets by sense rank (WordNet lists a lemma's senses most
  // frequent first), round-robin over noun, verb, adjective, adverb (all first senses, then all
  // second senses, ...); within a synset, WordNet's lemma order. With `morphology`, an inflected
  // word not in a part of speech's index ("movies", "loved", "funnier") also gets the synsets of
  // its base form (WordNet's morphy suffix rules, irregular *.exc forms not used), after the
  // word's own, and those synonyms are inflected the same way by regular English rules ("film"
  // -> "films"); a wrong inflection is almost never a word of a model's vocabulary, which
  // filters it out.
  std::vector<std::string> synonyms(std::string_view word, bool morphology = true) const;

 private:
  struct Pos {
    std::unordered_map<std::string, std::vector<std::size_t>> index;  // lemma -> synset offsets
    std::string data;                                                 // data.<pos>, whole
    std::filesystem::path data_file;
  };
  std::vector<std::string> synset_lemmas(const Pos& pos, std::size_t offset) const;
  std::vector<Pos> pos_;  // noun, verb, adj, adv
};

struct WordNetOptions {
  std::filesystem::path dir = "/usr/share/wordnet";
  std::size_t k = 8;  // candidates kept per word (after dropping out-of-vocabulary ones)
  bool morphology = true;
};
SynonymTable wordnet_synonyms(const Vocabulary& vocab, const WordNetOptions& opt = {});

struct EmbeddingOptions {
  std::filesystem::path file;
  std::size_t k = 8;          // nearest neighbours kept per word
  double max_distance = 0.5;  // Euclidean; strictly below
  unsigned threads = 0;       // 0: all cores
};
// Only vectors of words in `vocab` are kept (the rest of the file is checked for its field count
// only). A first line of exactly two integers (word2vec text header) is skipped. A word repeated in
// the file keeps its first vector. DataError naming the file and line for a malformed line (wrong
// number of values, a value that is not a number). Neighbours are computed for the whole
// vocabulary at once (exact, brute force with early exit per pair).
SynonymTable embedding_neighbours(const Vocabulary& vocab, const EmbeddingOptions& opt);

}  // namespace convbench
