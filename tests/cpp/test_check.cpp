// convbench check's pure parts: the elementwise tolerance rule, thresholds from TOML, input
// arrays, layout permutation, and layer matching over an activation dump.
#include <fstream>
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

TEST_F(CheckFiles, FolderOfNpyWithLabels) {
  write_npy(dir_ / "a.npy", Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  write_npy(dir_ / "b.npy", Tensor({1, 3}, {7, 8, 9}));
  const std::vector<std::int64_t> y = {0, 1, 2};
  write_npy(dir_ / "labels.npy", y);
  InputSpec s;
  s.files = dir_;
  const auto d = load_check_inputs(s);
  EXPECT_EQ(d.inputs.shape, (Shape{3, 3}));
  EXPECT_EQ(d.inputs.data.back(), 9.0F);
  EXPECT_EQ(d.labels, y);
  s.limit = 2;
  EXPECT_EQ(load_check_inputs(s).labels.size(), 2U);
  write_npy(dir_ / "labels.npy", std::vector<std::int64_t>{0});
  EXPECT_THROW_WITH(load_check_inputs(s), DataError, "1 labels for 3 inputs");
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

TEST(CheckInputs, NpyDtypes) {
  // A hand-made float64 .npy (version 1.0) of shape (2,).
  std::string h = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
  h.append(64 - (10 + h.size() + 1) % 64, ' ');
  h += '\n';
  std::string b = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size()) + '\0' + h;
  const double v[2] = {1.5, -2};
  b.append(reinterpret_cast<const char*>(v), sizeof v);
  EXPECT_EQ(parse_npy_f32(b, "x").data, (std::vector<float>{1.5F, -2.0F}));
  // Labels that are not whole numbers are refused, not truncated.
  EXPECT_THROW_WITH(parse_npy_labels(b, "x.npy"), DataError, "x.npy", "1.5", "int64");
  EXPECT_THROW_WITH(parse_npy_f32("nonsense", "f.npy"), DataError, "f.npy");
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
