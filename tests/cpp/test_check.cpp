// convbench check's pure parts: the elementwise tolerance rule, thresholds from TOML, input
// arrays, layout permutation, and layer matching over an activation dump.
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "check/compare.hpp"
#include "check/inputs.hpp"
#include "check/localise.hpp"
#include "check/thresholds.hpp"
#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/npy.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

TEST(CheckCompare, ElementFailsOnlyWhenBothToleranceExceeded) {
  const Tensor o({2, 3}, {1.0F, 100.0F, 0.0F, 1.0F, 1.0F, 1.0F});
  // abs 0.5 rel 0.5 (fails both); abs 0.5 rel 0.005 (passes rtol); abs 1e-6 at 0 (passes atol)
  const Tensor c({2, 3}, {1.5F, 100.5F, 1e-6F, 1.0F, 1.0F, 1.0F});
  const auto r = compare_elementwise(o, c, {1e-5, 0.01}, 1);
  EXPECT_EQ(r.failed_elements, 1);
  EXPECT_EQ(r.failed_samples, 1);
  EXPECT_NEAR(r.max_abs, 0.5, 1e-6);
  ASSERT_EQ(r.worst.size(), 1U);
  EXPECT_EQ(r.worst[0].index, 0);
  // Minimal passing tolerances: atol must cover the 0.5 whose rel fails (0.5, and 1e-6 at 0
  // whose rel is 1), rtol must cover rel of the elements over atol (0.5 and 0.005).
  EXPECT_NEAR(r.min_passing_atol, 0.5, 1e-6);
  EXPECT_NEAR(r.min_passing_rtol, 0.5, 1e-6);
  EXPECT_TRUE(compare_elementwise(o, c, {r.min_passing_atol, 0.01}).passed());
  EXPECT_TRUE(compare_elementwise(o, c, {1e-5, r.min_passing_rtol}).passed());
  EXPECT_THROW(compare_elementwise(o, Tensor({3, 2}), {}), DataError);
}

TEST(CheckCompare, SoftmaxAndPermutation) {
  const Tensor s = softmax_rows(Tensor({1, 2}, {0.0F, 0.0F}));
  EXPECT_FLOAT_EQ(s.data[0], 0.5F);
  // One sample [C=1, H=2, W=3] -> H/W swapped [1, 3, 2].
  const Tensor x({1, 1, 2, 3}, {0, 1, 2, 3, 4, 5});
  const Tensor t = permute_samples(x, {0, 2, 1});
  EXPECT_EQ(t.shape, (Shape{1, 1, 3, 2}));
  EXPECT_EQ(t.data, (std::vector<float>{0, 3, 1, 4, 2, 5}));
  const Tensor nhwc = permute_samples(x, {1, 2, 0});
  EXPECT_EQ(nhwc.shape, (Shape{1, 2, 3, 1}));
}

class CheckFiles : public testing::TempDirTest {};

TEST_F(CheckFiles, ThresholdsFromToml) {
  const auto f = dir_ / "t.toml";
  std::ofstream(f) << "atol = 1e-4\nmax_misclassification_pct = 2\nmax_latency_ratio = 1.5\n"
                      "[output.probs]\nrtol = 0.1\n";
  Thresholds t;
  read_thresholds(f, t);
  EXPECT_DOUBLE_EQ(t.tolerance.atol, 1e-4);
  EXPECT_DOUBLE_EQ(t.tolerance.rtol, 1e-3);  // kept
  EXPECT_DOUBLE_EQ(t.max_misclassification, 0.02);
  EXPECT_DOUBLE_EQ(*t.max_latency_ratio, 1.5);
  EXPECT_FALSE(t.max_size_ratio);
  EXPECT_DOUBLE_EQ(t.for_output("probs").rtol, 0.1);
  EXPECT_DOUBLE_EQ(t.for_output("probs").atol, 1e-4);
  EXPECT_DOUBLE_EQ(t.for_output("other").rtol, 1e-3);
  std::ofstream(f) << "atol = -1\n";
  EXPECT_THROW_WITH(read_thresholds(f, t), UsageError, "t.toml", "atol");
  // Issue #11: nan would switch the elementwise gate off; unknown keys at any depth are typos.
  std::ofstream(f) << "atol = nan\n";
  EXPECT_THROW_WITH(read_thresholds(f, t), UsageError, "t.toml", "'atol' must be a finite number");
  std::ofstream(f) << "[output.probs]\nrtol = inf\n";
  EXPECT_THROW_WITH(read_thresholds(f, t), UsageError, "'output.probs.rtol' must be a finite");
  std::ofstream(f) << "[output.probs]\natoll = 1e-3\n";
  EXPECT_THROW_WITH(read_thresholds(f, t), UsageError, "unknown key 'output.probs.atoll'");
  std::ofstream(f) << "max_misclassification = \"1\"\n";
  EXPECT_THROW_WITH(read_thresholds(f, t), UsageError, "'max_misclassification' must be a number");
  std::ofstream(f) << "max_misclassification_pct = 101\n";
  EXPECT_THROW_WITH(read_thresholds(f, t), UsageError, "max_misclassification_pct");
  std::ofstream(f) << "max_latency_ratio = -1\n";
  EXPECT_THROW_WITH(read_thresholds(f, t), UsageError, "'max_latency_ratio' must be >= 0");
  EXPECT_THROW_WITH(read_thresholds(dir_ / "none.toml", t), UsageError, "none.toml");
}

// The bytes of a .npy holding `v` (through the one writer).
std::string npy_bytes(const std::filesystem::path& scratch, const Value& v) {
  write_npy(scratch, v);
  const Bytes b = read_file(scratch);
  return {b.begin(), b.end()};
}

// An .npz as numpy writes it: a zip of <name>.npy entries (libarchive's zip writer).
void write_npz(const std::filesystem::path& file,
               const std::vector<std::pair<std::string, Value>>& arrays) {
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(),
                                                            archive_write_free);
  archive_write_set_format_zip(a.get());
  ASSERT_EQ(archive_write_open_filename(a.get(), file.c_str()), ARCHIVE_OK);
  for (const auto& [name, v] : arrays) {
    const std::filesystem::path scratch = file.string() + ".scratch";
    const std::string data = npy_bytes(scratch, v);
    std::filesystem::remove(scratch);
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(),
                                                                    archive_entry_free);
    archive_entry_set_pathname(e.get(), (name + ".npy").c_str());
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_write_header(a.get(), e.get());
    archive_write_data(a.get(), data.data(), data.size());
  }
  archive_write_close(a.get());
}

Value ints(std::string name, Shape shape, std::vector<std::int64_t> v) {
  return cast_exact(from_tensor(std::move(name),
                                Tensor(std::move(shape), std::vector<float>(v.begin(), v.end()))),
                    DType::i64);
}

TEST_F(CheckFiles, FolderOfNpyWithLabels) {
  write_npy(dir_ / "a.npy", Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  write_npy(dir_ / "b.npy", Tensor({1, 3}, {7, 8, 9}));
  const std::vector<std::int64_t> y = {0, 1, 2};
  write_npy(dir_ / "labels.npy", y);
  const auto u = read_user_inputs(dir_);
  ASSERT_EQ(u.arrays.size(), 1U);
  EXPECT_EQ(u.arrays[0].shape, (Shape{3, 3}));
  EXPECT_EQ(to_f32(u.arrays[0]).data.back(), 9.0F);
  EXPECT_EQ(u.labels, y);
  write_npy(dir_ / "labels.npy", std::vector<std::int64_t>{0});
  EXPECT_THROW_WITH(read_user_inputs(dir_), DataError, "1 labels for 3 samples");
  // Labels that are not whole numbers are refused, not truncated.
  write_npy(dir_ / "labels.npy", Tensor({3}, {0, 1.5F, 2}));
  EXPECT_THROW_WITH(read_user_inputs(dir_), DataError, "1.5");
}

// Multi-input models: an .npz named after the inputs, a folder of them, Polygraphy's JSON; dtypes
// kept; arrays that match no input are refused, not stacked.
TEST_F(CheckFiles, NamedArraysForMultiInputModels) {
  const Value ids = ints("input_ids", {2, 3}, {1, 2, 3, 4, 5, 6});
  const Value mask = ints("attention_mask", {2, 3}, {1, 1, 0, 1, 1, 1});
  write_npz(
      dir_ / "feed.npz",
      {{"input_ids", ids}, {"attention_mask", mask}, {"labels", ints("labels", {2}, {0, 1})}});
  const auto u = read_user_inputs(dir_ / "feed.npz");
  ASSERT_EQ(u.arrays.size(), 2U);
  EXPECT_EQ(u.labels, (std::vector<std::int64_t>{0, 1}));
  const std::vector<TensorInfo> model{{"input_ids", DType::i64, {-1, 3}, true},
                                      {"attention_mask", DType::i64, {-1, 3}, true}};
  const Values feed = match_inputs(u, model, "bert.onnx");
  ASSERT_EQ(feed.size(), 2U);
  EXPECT_EQ(feed[0].name, "input_ids");  // the model's order, not the file's
  EXPECT_EQ(feed[0].dtype, DType::i64);
  EXPECT_EQ(feed[0].bytes, ids.bytes);
  EXPECT_EQ(feed[1].bytes, mask.bytes);
  const std::vector<TensorInfo> other{{"ids", DType::i64, {-1, 3}, true},
                                      {"attention_mask", DType::i64, {-1, 3}, true}};
  EXPECT_THROW_WITH(match_inputs(u, other, "m.onnx"), UsageError, "feed.npz", "no array for ids",
                    "no input named input_ids");

  // A folder of .npz, one per batch: each name stacked in file order.
  std::filesystem::create_directories(dir_ / "batches");
  write_npz(dir_ / "batches" / "b0.npz", {{"input_ids", ids}, {"attention_mask", mask}});
  write_npz(dir_ / "batches" / "b1.npz", {{"input_ids", ids}, {"attention_mask", mask}});
  const auto f = read_user_inputs(dir_ / "batches");
  ASSERT_EQ(f.arrays.size(), 2U);
  EXPECT_EQ(f.arrays[0].shape, (Shape{4, 3}));
  write_npz(dir_ / "batches" / "b2.npz", {{"input_ids", ids}});
  EXPECT_THROW_WITH(read_user_inputs(dir_ / "batches"), DataError, "batches", "feed 2");

  // Polygraphy's inputs JSON: [{name: {"array": base64(.npy), "polygraphy_class": "ndarray"}}].
  const auto b64 = [&](const Value& v) {
    const std::string raw = npy_bytes(dir_ / "s.npy", v);
    std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
    out.resize(static_cast<std::size_t>(EVP_EncodeBlock(
        reinterpret_cast<unsigned char*>(out.data()),
        reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()))));
    return nlohmann::json{{"array", out}, {"polygraphy_class", "ndarray"}};
  };
  const nlohmann::json pj =
      nlohmann::json::array({{{"input_ids", b64(ids)}, {"attention_mask", b64(mask)}},
                             {{"input_ids", b64(ids)}, {"attention_mask", b64(mask)}}});
  write_text(dir_ / "inputs.json", pj.dump());
  const auto p = read_user_inputs(dir_ / "inputs.json");
  const Values pf = match_inputs(p, model, "bert.onnx");
  EXPECT_EQ(pf[0].shape, (Shape{4, 3}));
  EXPECT_EQ(std::vector<std::byte>(pf[1].bytes.begin(), pf[1].bytes.begin() + 48), mask.bytes);
  write_text(dir_ / "bad.json",
             R"([{"input_ids": {"array": "!!!!", "polygraphy_class": "ndarray"}}])");
  EXPECT_THROW_WITH(read_user_inputs(dir_ / "bad.json"), DataError, "bad.json feed 0 'input_ids'");
  write_text(dir_ / "plain.json", R"([{"input_ids": [1, 2, 3]}])");
  EXPECT_THROW_WITH(read_user_inputs(dir_ / "plain.json"), DataError, "not an encoded NumPy array");
}

// What a model is fed: float32 data into an fp16 model is rounded (as a runtime would), token
// ids are never rounded, and an overflow to infinity is refused.
TEST(CheckInputs, CastForModelRoundsOnlyBetweenFloats) {
  const Value x = from_tensor("x", Tensor({3}, {1.2309366F, -0.1F, 3.0F}));
  const Value h = cast_for_model(x, DType::f16);
  EXPECT_EQ(h.dtype, DType::f16);
  EXPECT_NEAR(to_f32(h).data[0], 1.2309366F, 1e-3);
  EXPECT_THROW_WITH(cast_exact(x, DType::f16), DataError, "not exactly representable");
  EXPECT_THROW_WITH(cast_for_model(from_tensor("x", Tensor({1}, {1e6F})), DType::f16), DataError,
                    "overflows float16");
  EXPECT_THROW_WITH(cast_for_model(from_tensor("ids", Tensor({1}, {3.5F})), DType::i64),
                    DataError, "ids", "not exactly representable");
  EXPECT_EQ(to_f32(cast_for_model(from_tensor("ids", Tensor({1}, {7})), DType::i64)).data[0], 7);
}

TEST(CheckInputs, GeneratedAreSeededAndInRange) {
  InputSpec s;
  s.generate_shape = {4};
  s.generate_count = 10;
  s.low = 0;
  s.high = 50;
  s.integer = true;
  const auto a = load_check_inputs(s), b = load_check_inputs(s);
  EXPECT_EQ(a.inputs.data, b.inputs.data);
  EXPECT_EQ(a.inputs.shape, (Shape{10, 4}));
  for (float v : a.inputs.data) {
    EXPECT_GE(v, 0);
    EXPECT_LT(v, 50);
    EXPECT_EQ(v, std::floor(v));
  }
  s.dataset = "mnist";
  EXPECT_THROW_WITH(load_check_inputs(s), UsageError, "exactly one input source");
}

TEST_F(CheckFiles, LocaliseMatchesByNameAndUndoesNchw) {
  // Original (Keras-like, NHWC) layers conv1, conv2; ONNX nodes with NCHW outputs.
  const Tensor c1({1, 2, 2, 1}, {1, 2, 3, 4}), c2({1, 1, 1, 2}, {5, 6});
  write_npy(dir_ / "o0.npy", c1);
  write_npy(dir_ / "o1.npy", c2);
  write_npy(dir_ / "n0.npy", Tensor({1, 1, 2, 2}, {1, 2, 3, 4}));
  write_npy(dir_ / "n1.npy", Tensor({1, 2, 1, 1}, {5, 7}));  // conv2 diverges
  const nlohmann::json idx = {
      {"original",
       {{"layers",
         {{{"name", "conv1"}, {"type", "Conv2D"}, {"file", "o0.npy"}, {"shape", c1.shape}},
          {{"name", "conv2"}, {"type", "Conv2D"}, {"file", "o1.npy"}, {"shape", c2.shape}},
          {{"name", "dropout"}, {"type", "Dropout"}, {"file", "o1.npy"}, {"shape", c2.shape}}}}}},
      {"onnx",
       {{"nodes",
         {{{"name", "model/conv1/Relu"},
           {"op_type", "Relu"},
           {"file", "n0.npy"},
           {"shape", {1, 1, 2, 2}}},
          {{"name", "model/conv2/BiasAdd"},
           {"op_type", "Conv"},
           {"file", "n1.npy"},
           {"shape", {1, 2, 1, 1}}}}}}}};
  std::ofstream(dir_ / "index.json") << idx.dump();
  const auto loc = compare_dump(dir_ / "index.json", {1e-5, 1e-3});
  ASSERT_TRUE(loc.possible);
  ASSERT_EQ(loc.layers.size(), 2U);
  EXPECT_EQ(loc.layers[0].failed_elements, 0);
  ASSERT_TRUE(loc.first_divergent);
  EXPECT_EQ(loc.layers[*loc.first_divergent].layer, "conv2");
  EXPECT_EQ(loc.layers[*loc.first_divergent].op_type, "Conv");
  EXPECT_EQ(loc.unmatched, std::vector<std::string>{"dropout"});
}

}  // namespace
}  // namespace convbench
