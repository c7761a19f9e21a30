// The genetic attack (Alzantot et al. 2018) against a hand-made bag-of-words model, and its two
// synonym sources (WordNet, word-embedding files).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "attack/genetic.hpp"
#include "attack/synonyms.hpp"
#include "core/error.hpp"
#include "data/vocabulary.hpp"

namespace convbench {
namespace {
namespace fs = std::filesystem;

// ids: 0 <pad>, 1 <unk>, then these words. The model: p(positive) = sigmoid(sum of word weights).
const std::vector<std::string> kWords = {"good", "great", "nice",  "fine", "bad",  "awful",
                                         "weak", "poor",  "movie", "film", "plot", "story"};
const std::map<std::string, float> kWeight = {{"good", 1.0f},  {"great", 1.0f}, {"nice", 0.5f},
                                              {"fine", 0.3f},  {"bad", -1.0f},  {"awful", -1.0f},
                                              {"weak", -0.2f}, {"poor", -0.5f}};

std::int64_t id(const std::string& w) {
  const auto it = std::find(kWords.begin(), kWords.end(), w);
  return 2 + (it - kWords.begin());
}

float weight(std::int64_t token) {
  if (token < 2) return 0;
  const auto it = kWeight.find(kWords[static_cast<std::size_t>(token - 2)]);
  return it == kWeight.end() ? 0.0f : it->second;
}

Tensor bag_of_words(const Tensor& batch) {
  Tensor out(Shape{batch.rows(), 2});
  for (std::int64_t r = 0; r < batch.rows(); ++r) {
    float s = 0;
    for (const float v : batch.row(r)) s += weight(static_cast<std::int64_t>(v));
    const float pos = 1.0f / (1.0f + std::exp(-s));
    out.data[static_cast<std::size_t>(2 * r)] = 1 - pos;
    out.data[static_cast<std::size_t>(2 * r + 1)] = pos;
  }
  return out;
}

// good -> nice, fine, weak; great -> awful, poor; movie <-> film; plot <-> story.
SynonymTable table() {
  std::vector<std::vector<std::int64_t>> l(kWords.size() + 2);
  l[id("good")] = {id("nice"), id("fine"), id("weak")};
  l[id("great")] = {id("awful"), id("poor")};
  l[id("movie")] = {id("film")};
  l[id("film")] = {id("movie")};
  l[id("plot")] = {id("story")};
  l[id("story")] = {id("plot")};
  return SynonymTable(std::move(l));
}

// A row of seq_len token ids, front-padded, from words.
std::vector<float> row(const std::vector<std::string>& words, std::size_t seq_len) {
  std::vector<float> r(seq_len - words.size(), 0.0f);
  for (const auto& w : words) r.push_back(static_cast<float>(id(w)));
  return r;
}

Tensor batch_of(const std::vector<std::vector<float>>& rows) {
  Tensor t(
      Shape{static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(rows[0].size())});
  std::size_t at = 0;
  for (const auto& r : rows)
    for (const float v : r) t.data[at++] = v;
  return t;
}

std::vector<std::string> repeat(const std::vector<std::string>& words, std::size_t n) {
  std::vector<std::string> out;
  while (out.size() < n) out.push_back(words[out.size() % words.size()]);
  return out;
}

GeneticOptions test_options() {
  GeneticOptions o;
  o.skip_most_frequent = 0;  // the tiny vocabulary has no stop words
  o.population = 12;
  o.generations = 8;
  o.seed = 7;
  return o;
}

constexpr std::size_t kSeqLen = 120;

TEST(Genetic, FindsTheObviousAdversarialExample) {
  // Positive (2.3) through "great", "good" and "fine"; only great->awful AND good->weak flip it
  // (-0.9; either alone leaves it positive).
  auto words = repeat({"movie", "plot", "film", "story"}, 12);
  words[3] = "great";
  words[8] = "good";
  words[10] = "fine";
  Oracle oracle(bag_of_words);
  const std::vector<std::int64_t> labels{1};
  const auto rep =
      genetic_attack(oracle, batch_of({row(words, kSeqLen)}), labels, table(), test_options());
  const auto& r = rep.results.at(0);
  ASSERT_TRUE(r.success) << r.reason;
  EXPECT_EQ(r.adversarial_label, 0);
  EXPECT_EQ(r.adversarial[kSeqLen - 12 + 3], id("awful"));
  EXPECT_EQ(r.adversarial[kSeqLen - 12 + 8], id("weak"));
  EXPECT_LE(r.modified, 3);
  EXPECT_DOUBLE_EQ(r.modified_ratio, static_cast<double>(r.modified) / 12.0);
  EXPECT_EQ(bag_of_words(batch_of({r.adversarial})).data[1] < 0.5f, true);
  EXPECT_EQ(rep.totals.succeeded, 1);
  EXPECT_EQ(rep.totals.queries, oracle.queries());
  EXPECT_EQ(r.queries, oracle.queries());
}

// Every row the model is asked about stays within the limit and uses only allowed substitutes.
TEST(Genetic, NeverExceedsTheLimitAndOnlyUsesCandidates) {
  const auto syn = table();
  // Texts of distinct lengths, so every queried row can be traced back to its text by its padding.
  std::vector<std::vector<float>> rows;
  std::map<std::size_t, std::vector<float>> by_length;
  for (const std::size_t len : {10, 13, 20, 40, 77, 100}) {
    // Many positive words: no text can be flipped within 25% of its words.
    auto w = repeat({"good", "great", "movie", "good", "plot"}, len);
    rows.push_back(row(w, kSeqLen));
    by_length[len] = rows.back();
  }
  std::int64_t checked = 0, worst = 0;
  Oracle oracle([&](const Tensor& batch) {
    for (std::int64_t r = 0; r < batch.rows(); ++r) {
      const auto q = batch.row(r);
      const auto words = static_cast<std::size_t>(
          std::count_if(q.begin(), q.end(), [](float v) { return v != 0; }));
      const auto& orig = by_length.at(words);
      std::int64_t modified = 0;
      for (std::size_t p = 0; p < q.size(); ++p) {
        if (q[p] == orig[p]) continue;
        ++modified;
        const auto c = syn.candidates(static_cast<std::int64_t>(orig[p]));
        EXPECT_NE(std::find(c.begin(), c.end(), static_cast<std::int64_t>(q[p])), c.end())
            << "position " << p << " holds a substitute the table does not allow";
      }
      EXPECT_LE(modified, static_cast<std::int64_t>(words / 4)) << words << " words";
      worst = std::max(worst, modified);
      ++checked;
    }
    return bag_of_words(batch);
  });
  auto opt = test_options();
  opt.lockstep = 4;  // two groups
  const auto rep =
      genetic_attack(oracle, batch_of(rows), std::vector<std::int64_t>(6, 1), syn, opt);
  EXPECT_GT(checked, 1000);
  EXPECT_GE(worst, 2);  // the search did reach the limit
  for (const auto& r : rep.results) {
    EXPECT_FALSE(r.success);
    EXPECT_FALSE(r.skipped);
    EXPECT_LE(r.modified, r.words / 4);
    EXPECT_EQ(r.generations, opt.generations);
    EXPECT_NE(r.reason.find("generations"), std::string::npos) << r.reason;
  }
  EXPECT_EQ(rep.totals.attacked, 6);
  EXPECT_EQ(rep.totals.success_rate, 0.0);
}

TEST(Genetic, KeepsTheLengthRule) {
  std::set<std::size_t> lengths_queried;
  Oracle oracle([&](const Tensor& batch) {
    for (std::int64_t r = 0; r < batch.rows(); ++r) {
      const auto q = batch.row(r);
      lengths_queried.insert(
          static_cast<std::size_t>(std::count_if(q.begin(), q.end(), [](float v) { return v; })));
    }
    return bag_of_words(batch);
  });
  auto words = repeat({"movie", "good", "film", "plot", "story"}, 101);
  const auto rep = genetic_attack(
      oracle,
      batch_of({row(std::vector(words.begin(), words.begin() + 9), kSeqLen),
                row(std::vector(words.begin(), words.begin() + 10), kSeqLen), row(words, kSeqLen)}),
      std::vector<std::int64_t>{1, 1, 1}, table(), test_options());
  EXPECT_TRUE(rep.results[0].skipped);
  EXPECT_EQ(rep.results[0].reason, "9 words, outside 10..100");
  EXPECT_EQ(rep.results[0].queries, 0);
  EXPECT_FALSE(rep.results[1].skipped);
  EXPECT_TRUE(rep.results[1].success);  // 10 words, 2 "good": 2 changes allowed, both ->weak
  EXPECT_TRUE(rep.results[2].skipped);
  EXPECT_EQ(rep.results[2].reason, "101 words, outside 10..100");
  EXPECT_EQ(lengths_queried, std::set<std::size_t>{10});
  EXPECT_EQ(rep.totals.skipped, 2);
  EXPECT_EQ(rep.totals.attacked, 1);
}

TEST(Genetic, SkipsMisclassifiedInputsAndHonoursTheQueryBudget) {
  auto words = repeat({"good", "great", "movie", "plot"}, 40);
  Oracle oracle(bag_of_words);
  auto opt = test_options();
  opt.max_queries = 100;
  const auto rep = genetic_attack(oracle, batch_of({row(words, kSeqLen), row(words, kSeqLen)}),
                                  std::vector<std::int64_t>{0, 1}, table(), opt);
  EXPECT_TRUE(rep.results[0].skipped);
  EXPECT_NE(rep.results[0].reason.find("misclassified"), std::string::npos);
  EXPECT_FALSE(rep.results[1].success);
  EXPECT_LE(rep.results[1].queries, 100);
  EXPECT_NE(rep.results[1].reason.find("budget"), std::string::npos) << rep.results[1].reason;
}

TEST(Genetic, DeterministicForASeedWhateverTheGrouping) {
  std::vector<std::vector<float>> rows;
  for (std::size_t len = 12; len < 60; len += 7) {
    auto w = repeat({"movie", "good", "plot", "film", "nice", "story", "great"}, len);
    rows.push_back(row(w, kSeqLen));
  }
  const auto inputs = batch_of(rows);
  const std::vector<std::int64_t> labels(rows.size(), 1);
  const auto run = [&](std::int64_t lockstep, std::uint64_t seed) {
    Oracle oracle(bag_of_words, {}, 64);
    auto opt = test_options();
    opt.lockstep = lockstep;
    opt.seed = seed;
    return genetic_attack(oracle, inputs, labels, table(), opt);
  };
  const auto a = run(16, 3), b = run(16, 3), c = run(1, 3);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(a.results[i].adversarial, b.results[i].adversarial);
    EXPECT_EQ(a.results[i].adversarial, c.results[i].adversarial);
    EXPECT_EQ(a.results[i].queries, c.results[i].queries);
    EXPECT_EQ(a.results[i].success, c.results[i].success);
  }
  EXPECT_EQ(a.totals.queries, c.totals.queries);
}

TEST(Genetic, RejectsBadOptionsAndShapes) {
  Oracle oracle(bag_of_words);
  auto opt = test_options();
  opt.temperature = 0;
  const auto inputs = batch_of({row(repeat({"good"}, 12), kSeqLen)});
  EXPECT_THROW(genetic_attack(oracle, inputs, std::vector<std::int64_t>{1}, table(), opt),
               UsageError);
  EXPECT_THROW(genetic_attack(oracle, inputs, std::vector<std::int64_t>{1, 0}, table()),
               UsageError);
}

TEST(SynonymTable, RejectsBadLists) {
  EXPECT_THROW(SynonymTable({{}, {}, {2}}), UsageError);         // itself
  EXPECT_THROW(SynonymTable({{}, {}, {1}}), UsageError);         // <unk>
  EXPECT_THROW(SynonymTable({{}, {}, {3}}), UsageError);         // outside
  EXPECT_THROW(SynonymTable({{}, {}, {3, 3}, {}}), UsageError);  // repeat
  const SynonymTable t({{}, {}, {3}, {2}});
  EXPECT_EQ(t.candidates(2).size(), 1u);
  EXPECT_TRUE(t.candidates(99).empty());
  EXPECT_EQ(t.words_with_candidates(), 2u);
}

// --- WordNet (Debian's wordnet-base)

const fs::path kWordNet = "/usr/share/wordnet";

TEST(WordNet, SynonymsOfGoodMostFrequentSenseFirst) {
  if (!fs::exists(kWordNet / "index.adj")) GTEST_SKIP() << "wordnet-base is not installed";
  const auto wn = WordNet::load(kWordNet);
  const auto syn = wn.synonyms("good");
  ASSERT_FALSE(syn.empty());
  // WordNet 3.0: "good" as a noun is {good, goodness} (sense 2), as an adverb {well, good}
  // (sense 1); adjective senses include {full, good}, {estimable, good, honorable, respectable},
  // {beneficial, good}, {dear, good, near}.
  for (const std::string w :
       {"goodness", "well", "full", "estimable", "beneficial", "dear", "near"})
    EXPECT_NE(std::find(syn.begin(), syn.end(), w), syn.end()) << w;
  EXPECT_EQ(std::find(syn.begin(), syn.end(), "good"), syn.end());
  for (const auto& w : syn) EXPECT_EQ(w.find('_'), std::string::npos) << w;
  // First senses come first: "well" (adverb sense 1) before "dear" (an adjective sense > 1).
  const auto at = [&](const std::string& w) { return std::find(syn.begin(), syn.end(), w); };
  EXPECT_LT(at("well"), at("dear"));
  // Morphology: "movies" -> the synonyms of "movie", in the plural.
  const auto movies = wn.synonyms("movies");
  EXPECT_NE(std::find(movies.begin(), movies.end(), "films"), movies.end());
  EXPECT_TRUE(wn.synonyms("movies", false).empty());
  EXPECT_TRUE(wn.synonyms("qwzxv").empty());
}

TEST(WordNet, TableKeepsOnlyVocabularyWords) {
  if (!fs::exists(kWordNet / "index.adj")) GTEST_SKIP() << "wordnet-base is not installed";
  const std::vector<std::string> texts{"good well dear movie films film the qwzxv"};
  const auto vocab = Vocabulary::build(texts, 100);
  const auto t = wordnet_synonyms(vocab, {kWordNet, 8, true});
  const auto good = t.candidates(vocab.id("good"));
  const std::set<std::int64_t> got(good.begin(), good.end());
  EXPECT_EQ(got, (std::set<std::int64_t>{vocab.id("well"), vocab.id("dear")}));
  const auto movie = t.candidates(vocab.id("movie"));
  ASSERT_EQ(movie.size(), 1u);
  EXPECT_EQ(movie[0], vocab.id("film"));
  EXPECT_TRUE(t.candidates(vocab.id("qwzxv")).empty());
  EXPECT_TRUE(t.candidates(vocab.id("the")).empty());
  // k limits the list.
  EXPECT_EQ(wordnet_synonyms(vocab, {kWordNet, 1, true}).candidates(vocab.id("good")).size(), 1u);
}

TEST(WordNet, MissingDatabaseIsADataError) {
  EXPECT_THROW(WordNet::load("/nonexistent/wordnet"), DataError);
}

// --- embedding files

struct TempFile {
  fs::path path;
  explicit TempFile(const std::string& text)
      : path(fs::temp_directory_path() /
             ("convbench-emb-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
              "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".txt")) {
    std::ofstream(path) << text;
  }
  ~TempFile() { fs::remove(path); }
};

TEST(Embedding, KNearestUnderTheThreshold) {
  const std::vector<std::string> texts{"good fine nice great awful"};
  const auto vocab = Vocabulary::build(texts, 100);
  // "fyne" is not in the vocabulary: it must never be a candidate, although nearest to "good".
  TempFile f(
      "good 0 0\nfyne 0.01 0\nfine 0.1 0\nnice 0 0.25\ngreat 0.3 0.3\nawful 2 2\ngood 9 9\n");
  const auto t = embedding_neighbours(vocab, {f.path, 2, 0.5, 2});
  const auto good = t.candidates(vocab.id("good"));
  ASSERT_EQ(good.size(), 2u);
  EXPECT_EQ(good[0], vocab.id("fine"));
  EXPECT_EQ(good[1], vocab.id("nice"));
  // k = 8: all under 0.5 (great at 0.42), nearest first; "awful" is too far from everything.
  const auto t8 = embedding_neighbours(vocab, {f.path, 8, 0.5, 1});
  const auto g8 = t8.candidates(vocab.id("good"));
  EXPECT_EQ(std::vector<std::int64_t>(g8.begin(), g8.end()),
            (std::vector<std::int64_t>{vocab.id("fine"), vocab.id("nice"), vocab.id("great")}));
  EXPECT_TRUE(t8.candidates(vocab.id("awful")).empty());
  // The threshold is strict and in Euclidean distance: good-nice is 0.25 (exact in binary).
  EXPECT_EQ(embedding_neighbours(vocab, {f.path, 8, 0.25, 1}).candidates(vocab.id("good")).size(),
            1u);
}

TEST(Embedding, MalformedFileNamesFileAndLine) {
  const std::vector<std::string> texts{"good fine"};
  const auto vocab = Vocabulary::build(texts, 100);
  {
    TempFile f("good 0 0\nfine 0.1\n");
    try {
      embedding_neighbours(vocab, {f.path, 8, 0.5, 1});
      FAIL() << "no error";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find(f.path.string() + ": line 2"), std::string::npos)
          << e.what();
    }
  }
  {
    TempFile f("2 2\ngood 0 0\nfine 0.1 zero\n");
    try {
      embedding_neighbours(vocab, {f.path, 8, 0.5, 1});
      FAIL() << "no error";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find(": line 3"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("zero"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(embedding_neighbours(vocab, {"/nonexistent/vectors.txt", 8, 0.5, 1}), Error);
}

}  // namespace
}  // namespace convbench
