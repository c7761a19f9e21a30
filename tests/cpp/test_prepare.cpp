// prepare (.npy + meta.json for the zoo) and load_test_set (what eval feeds the runtimes).
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/npy.hpp"
#include "data/prepare.hpp"
#include "data/test_set.hpp"
#include "data/vocabulary.hpp"
#include "fixtures.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

using Json = nlohmann::json;

class PrepareTest : public testing::TempDirTest {
 protected:
  Json meta() {
    std::ifstream in(dir_ / "out" / "meta.json");
    return Json::parse(in);
  }
  // The values of an int64 .npy written by write_npy (header length at bytes 8..9).
  std::vector<std::int64_t> read_i64(const std::filesystem::path& p) {
    const Bytes b = read_file(p);
    const std::size_t data = 10 + b[8] + 256 * b[9];
    std::vector<std::int64_t> v((b.size() - data) / 8);
    std::memcpy(v.data(), b.data() + data, v.size() * 8);
    return v;
  }
  static std::vector<std::string> keys(const Json& j) {
    std::vector<std::string> k;
    for (const auto& [key, value] : j.items()) k.push_back(key);
    std::sort(k.begin(), k.end());
    return k;
  }
};

TEST_F(PrepareTest, MnistMetaAndArrays) {
  testing::write_synthetic_mnist(dir_ / "raw", 20, 10);
  const auto files = prepare_npy("mnist", dir_ / "raw", dir_ / "out");
  EXPECT_EQ(files.size(), 5U);
  const Json m = meta();
  EXPECT_EQ(keys(m), (std::vector<std::string>{"class_names", "dataset", "kind", "layout",
                                               "num_classes", "preprocessing", "sample_shape",
                                               "schema", "test_count", "train_count"}));
  EXPECT_EQ(m["schema"], 1);
  EXPECT_EQ(m["dataset"], "mnist");
  EXPECT_EQ(m["kind"], "image");
  EXPECT_EQ(m["num_classes"], 10);
  EXPECT_EQ(m["sample_shape"], Json::array({1, 28, 28}));
  EXPECT_EQ(m["layout"], "NCHW");
  EXPECT_EQ(m["preprocessing"], "x/255");
  EXPECT_EQ(m["train_count"], 20);
  EXPECT_EQ(m["test_count"], 10);
  EXPECT_EQ(m["class_names"][3], "3");
  const Tensor x = read_npy_f32(dir_ / "out/test_x.npy");
  EXPECT_EQ(x.shape, (Shape{10, 1, 28, 28}));
  // Same bytes as eval's test set (MNIST path unchanged: the old signature).
  const LabelledTensor ts = load_test_set("mnist", dir_ / "raw", "NCHW");
  EXPECT_EQ(ts.inputs.data, x.data);
  EXPECT_EQ(read_i64(dir_ / "out/test_y.npy"), ts.labels);
}

TEST_F(PrepareTest, Cifar10MetaNormalisedArraysAndLimits) {
  testing::write_synthetic_cifar10(dir_ / "raw", 4, 6);
  PrepareOptions o;
  o.train_limit = 7;
  prepare_npy("cifar10", dir_ / "raw", dir_ / "out", o);
  const Json m = meta();
  EXPECT_EQ(keys(m), (std::vector<std::string>{"class_names", "dataset", "kind", "layout", "mean",
                                               "num_classes", "preprocessing", "sample_shape",
                                               "schema", "std", "test_count", "train_count"}));
  EXPECT_EQ(m["dataset"], "cifar10");
  EXPECT_EQ(m["sample_shape"], Json::array({3, 32, 32}));
  EXPECT_EQ(m["preprocessing"], "(x/255-mean)/std per channel");
  EXPECT_EQ(m["mean"], Json::array({0.4914, 0.4822, 0.4465}));
  EXPECT_EQ(m["std"], Json::array({0.2470, 0.2435, 0.2616}));
  EXPECT_EQ(m["train_count"], 7);
  EXPECT_EQ(m["test_count"], 6);
  EXPECT_EQ(m["class_names"][0], "airplane");  // from batches.meta.txt, padding trimmed
  EXPECT_EQ(m["class_names"][9], "truck");
  const Tensor train = read_npy_f32(dir_ / "out/train_x.npy");
  ASSERT_EQ(train.shape, (Shape{7, 3, 32, 32}));
  // Record 6 (data_batch_2's third), blue plane, pixel 100, by hand.
  const double v = testing::cifar_pattern(6, 2, 100) / 255.0;
  EXPECT_NEAR(train.data[6 * 3072 + 2048 + 100], (v - 0.4465) / 0.2616, 1e-5);
  EXPECT_EQ(read_i64(dir_ / "out/train_y.npy"), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6}));

  // eval's test set: the same numbers, NHWC on request.
  const auto nchw = load_test_set("cifar10", dir_ / "raw", TestSetOptions{"NCHW", 0, {}, 0});
  EXPECT_EQ(nchw.inputs.data, read_npy_f32(dir_ / "out/test_x.npy").data);
  const auto nhwc = load_test_set("cifar10", dir_ / "raw", TestSetOptions{"NHWC", 2, {}, 0});
  ASSERT_EQ(nhwc.inputs.shape, (Shape{2, 32, 32, 3}));
  EXPECT_EQ(nhwc.labels, (std::vector<std::int64_t>{0, 1}));
  // Sample 1, pixel (1,2) = index 34, green: NHWC offset (34*3+1), NCHW offset 1024+34.
  EXPECT_EQ(nhwc.inputs.data[3072 + 34 * 3 + 1], nchw.inputs.data[3072 + 1024 + 34]);
}

TEST_F(PrepareTest, ImdbMetaVocabularyFromTrainOnlyAndBalancedLimits) {
  testing::write_tar(dir_ / "raw" / "aclImdb.tar.xz",
                     testing::imdb_entries(testing::tiny_imdb_reviews()));
  PrepareOptions o;
  o.vocab_words = 4;
  o.seq_len = 6;
  o.test_limit = 3;
  const auto files = prepare_npy("imdb", dir_ / "raw", dir_ / "out", o);
  EXPECT_EQ(files.size(), 6U);
  const Json m = meta();
  EXPECT_EQ(keys(m),
            (std::vector<std::string>{"class_names", "dataset", "kind", "layout", "num_classes",
                                      "preprocessing", "sample_shape", "schema", "seq_len",
                                      "test_count", "train_count", "vocab_file", "vocab_size"}));
  EXPECT_EQ(m["kind"], "text");
  EXPECT_EQ(m["num_classes"], 2);
  EXPECT_EQ(m["sample_shape"], Json::array({6}));
  EXPECT_EQ(m["layout"], "tokens");
  EXPECT_EQ(m["preprocessing"], "token ids");
  EXPECT_EQ(m["vocab_file"], "vocab.txt");
  EXPECT_EQ(m["vocab_size"], 6);
  EXPECT_EQ(m["seq_len"], 6);
  EXPECT_EQ(m["train_count"], 5);
  EXPECT_EQ(m["test_count"], 3);
  EXPECT_EQ(m["class_names"], Json::array({"neg", "pos"}));

  // Training counts: awful 4, great 4, film 3, the 3, then 2 each for boring, i, plot, were;
  // ties go alphabetically. The test split's words never enter.
  const Vocabulary v = Vocabulary::load(dir_ / "out/vocab.txt");
  EXPECT_EQ(v.tokens(),
            (std::vector<std::string>{"<pad>", "<unk>", "awful", "great", "film", "the"}));
  // test order: neg 0, pos 4, neg 1 (limit 3 keeps both classes).
  EXPECT_EQ(read_i64(dir_ / "out/test_y.npy"), (std::vector<std::int64_t>{0, 1, 0}));
  const Value ids = read_npy(dir_ / "out/test_x.npy");
  EXPECT_EQ(ids.dtype, DType::i64);  // token ids, as text models take them
  const Tensor x = to_f32(ids);
  ASSERT_EQ(x.shape, (Shape{3, 6}));
  // "Terrible. Unwatchable." -> 2 unknown tokens, pre-padded.
  EXPECT_EQ(std::vector<float>(x.data.begin(), x.data.begin() + 6),
            (std::vector<float>{0, 0, 0, 0, 1, 1}));
  // "Loved it, a great plot and a great cast." -> 9 tokens, the last 6 kept:
  // great plot and a great cast.
  EXPECT_EQ(std::vector<float>(x.data.begin() + 6, x.data.begin() + 12),
            (std::vector<float>{3, 1, 1, 1, 3, 1}));

  // eval's test set for a text model: the model's vocabulary and seq_len, same ids.
  TestSetOptions t{"tokens", 3, dir_ / "out/vocab.txt", 6};
  const auto ts = load_test_set("imdb", dir_ / "raw", t);
  EXPECT_EQ(ts.inputs.data, x.data);
  EXPECT_EQ(ts.labels, (std::vector<std::int64_t>{0, 1, 0}));
}

TEST_F(PrepareTest, TextTestSetNeedsVocabularySeqLenAndTokensLayout) {
  testing::write_imdb_folder(dir_ / "raw", testing::tiny_imdb_reviews());
  const auto vocab = dir_ / "vocab.txt";
  Vocabulary::build(std::vector<std::string>{"great film"}, 10).save(vocab);
  EXPECT_THROW_WITH(load_test_set("imdb", dir_ / "raw", TestSetOptions{"NCHW", 0, vocab, 4}),
                    DataError, "'NCHW'", "tokens");
  EXPECT_THROW_WITH(load_test_set("imdb", dir_ / "raw", TestSetOptions{"tokens", 0, {}, 4}),
                    DataError, "vocabulary file");
  EXPECT_THROW_WITH(load_test_set("imdb", dir_ / "raw", TestSetOptions{"tokens", 0, vocab, 0}),
                    DataError, "sequence length");
  const auto ok = load_test_set("imdb", dir_ / "raw", TestSetOptions{"tokens", 0, vocab, 4});
  ASSERT_EQ(ok.inputs.shape, (Shape{4, 4}));
  // Test sample 2 (neg 1): "Awful acting and a boring script." -> all unknown but none padded.
  EXPECT_EQ(std::vector<float>(ok.inputs.data.begin() + 8, ok.inputs.data.begin() + 12),
            (std::vector<float>{1, 1, 1, 1}));
  // Sample 3 (pos 5): "Great great GREAT film." -> film=2, great=3; exactly 4 tokens.
  EXPECT_EQ(std::vector<float>(ok.inputs.data.begin() + 12, ok.inputs.data.end()),
            (std::vector<float>{3, 3, 3, 2}));
  // Sample 1 (pos 4) keeps its last 4 tokens: "and a great cast".
  EXPECT_EQ(std::vector<float>(ok.inputs.data.begin() + 4, ok.inputs.data.begin() + 8),
            (std::vector<float>{1, 1, 3, 1}));
  EXPECT_THROW_WITH(load_test_set("cifar100", dir_ / "raw", TestSetOptions{}), UsageError,
                    "cifar100");
  EXPECT_THROW_WITH(prepare_npy("cifar100", dir_ / "raw", dir_ / "out"), UsageError, "cifar100");
}

}  // namespace
}  // namespace convbench
