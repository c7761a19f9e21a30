// RQ3 bookkeeping: the robustness indicator R (Eq. 4), the attacks table of the store and
// Tables V-VII.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "attack/fgsm.hpp"
#include "attack/robustness.hpp"
#include "core/error.hpp"
#include "report/tables.hpp"
#include "study/results_store.hpp"
#include "test_util.hpp"

using namespace convbench;
using RobustnessStore = convbench::testing::TempDirTest;

namespace {

StoredAttack rec(const std::string& model, int rep, const std::string& attack,
                 const std::string& role, std::optional<double> s_orig,
                 std::optional<double> s_conv) {
  StoredAttack a;
  a.model = model;
  a.framework = "keras";
  a.replicate = rep;
  a.cell = model + "/keras/r" + std::to_string(rep);
  a.attack = attack;
  a.role = role;
  a.worker = role == "onnx" ? "onnxruntime" : "";
  a.status = s_conv ? "ok" : "not_runnable";
  a.success_original = s_orig;
  a.success_converted = s_conv;
  return a;
}

}  // namespace

TEST(Robustness, IndicatorMatchesHandComputedValues) {
  // FGSM: d = 0.0, 0.2, 0.4 -> P = 0, 0.5, 1. Boundary: d = 0.1, 0.1, 0.1 -> max = min -> P = 0.
  // Core ML record without rates: no P, no R.
  const std::vector<StoredAttack> rs = {
      rec("lenet5", 0, "fgsm", "onnx", 0.5, 0.5),
      rec("lenet5", 1, "fgsm", "onnx", 0.5, 0.7),
      rec("resnet18", 0, "fgsm", "onnx", 0.9, 0.5),
      rec("lenet5", 0, "boundary", "onnx", 1.0, 0.9),
      rec("lenet5", 1, "boundary", "onnx", 0.8, 0.9),
      rec("resnet18", 0, "boundary", "onnx", 0.6, 0.5),
      rec("lenet5", 0, "fgsm", "coreml", 0.5, std::nullopt),
  };
  const auto p = normalised_success_change(rs);
  ASSERT_EQ(p.size(), rs.size());
  EXPECT_DOUBLE_EQ(*p[0], 0.0);
  EXPECT_DOUBLE_EQ(*p[1], 0.5);
  EXPECT_DOUBLE_EQ(*p[2], 1.0);
  for (int i : {3, 4, 5}) EXPECT_DOUBLE_EQ(*p[i], 0.0) << i;  // max = min
  EXPECT_FALSE(p[6]);

  const auto r = robustness_indicator(rs);
  ASSERT_EQ(r.size(), 3u);  // (lenet5 r0, onnx), (lenet5 r1, onnx), (resnet18 r0, onnx)
  for (const auto& x : r) {
    EXPECT_EQ(x.role, "onnx");
    EXPECT_EQ(x.attacks, 2);
    const double want = x.cell == "lenet5/keras/r0" ? 0.0 : x.cell == "lenet5/keras/r1" ? 0.5 : 1.0;
    EXPECT_DOUBLE_EQ(x.r, want) << x.cell;
  }
}

TEST_F(RobustnessStore, RoundTripAndTablesVtoVII) {
  ResultsStore store(dir_ / "results.sqlite", StoreAccess::read_write);
  for (int rep : {0, 1}) {
    AttackRecord onnx;
    onnx.attack = "fgsm";
    onnx.role = "onnx";
    onnx.worker = "onnxruntime";
    onnx.inputs = 100;
    onnx.attacked = 100;
    onnx.success_original = 0.40 + 0.1 * rep;
    onnx.success_converted = 0.40 + 0.1 * rep;
    onnx.misclassification = 0.0;
    onnx.abs_err_mean = 1e-7;
    onnx.abs_err_std = 1e-8;
    onnx.median_perturbation = 1.5;
    onnx.queries = 200;
    onnx.attack_wall_s = 2.0;
    onnx.params = {{"epsilon", 0.1}};
    AttackRecord coreml = onnx;
    coreml.role = "coreml";
    coreml.worker = "";
    coreml.status = "not_runnable";
    coreml.error = "Core ML runs only on macOS";
    coreml.success_converted.reset();
    coreml.misclassification.reset();
    coreml.abs_err_mean.reset();
    coreml.abs_err_std.reset();
    const std::vector<AttackRecord> recs = {onnx, coreml};
    store.save_cell({{"lenet5", "pytorch", rep}, 7, CellStatus::done, "", 1, 1}, nullptr, recs);
  }
  const auto back = store.attacks();
  ASSERT_EQ(back.size(), 4u);
  EXPECT_EQ(back[0].cell, "lenet5/pytorch/r0");
  EXPECT_EQ(back[0].attack, "fgsm");
  EXPECT_EQ(back[0].params["epsilon"], 0.1);
  EXPECT_EQ(back[1].queries, 200);

  // Re-saving a cell replaces its attacks.
  store.save_cell({{"lenet5", "pytorch", 1}, 7, CellStatus::done, "", 1, 1}, nullptr, {});
  EXPECT_EQ(store.attacks().size(), 2u);
  store.save_cell({{"lenet5", "pytorch", 2}, 7, CellStatus::failed, "boom", 1, 1}, nullptr, {});

  // Two replicates again, for the aggregates.
  auto all = back;
  const auto cells = aggregate_attack_tables(all);
  const auto find = [&](const std::string& table, const std::string& q, const std::string& v) {
    for (const auto& c : cells)
      if (c.table == table && c.quantity == q && c.variant == v) return c;
    throw Error("no cell " + table + " " + q + " " + v);
  };
  const auto mis = find("V", "adv_misclassification_pct", "onnx");
  EXPECT_EQ(mis.attack, "fgsm");
  EXPECT_EQ(mis.n, 2);
  EXPECT_DOUBLE_EQ(*mis.mean, 0.0);
  EXPECT_EQ(find("V", "adv_abs_error", "coreml").note, "not runnable on this platform");
  const auto orig = find("Fig3", "success_rate_pct", "original");
  EXPECT_NEAR(*orig.mean, 45.0, 1e-9);
  EXPECT_NEAR(*orig.std, 7.0710678, 1e-6);
  EXPECT_DOUBLE_EQ(*find("VII", "robustness_indicator", "onnx").mean, 0.0);
  EXPECT_FALSE(find("VII", "robustness_indicator", "coreml").mean);
  EXPECT_DOUBLE_EQ(*find("RQ3+", "queries_per_input", "original").mean, 2.0);
  const std::string md = tables_markdown(cells);
  EXPECT_NE(md.find("### Table V"), std::string::npos) << md;
  EXPECT_NE(
      md.find(
          "| LeNet-5 | PyTorch | 2 | 1.00e-07 (0.00e+00) | not runnable on this platform | 0.00 "
          "(0.00) | not runnable on this platform |"),
      std::string::npos)
      << md;
  const std::string csv = tables_csv(cells);
  EXPECT_NE(csv.find("V,LeNet-5,PyTorch,FGSM,adv_misclassification_pct,onnx,0,0,2,2,"),
            std::string::npos)
      << csv;
}

TEST(Fgsm, EqualsTheAnalyticStepOnALinearModel) {
  // logits = W x with W = [[1, -2], [0, 1]]; loss = CE(softmax(logits), y). By hand:
  // d loss / d x = W^T (softmax(Wx) - onehot(y)).
  const auto probs = [](const std::vector<float>& x) {
    const double z0 = x[0] - 2.0 * x[1], z1 = x[1];
    const double m = std::max(z0, z1), e0 = std::exp(z0 - m), e1 = std::exp(z1 - m);
    return std::vector<double>{e0 / (e0 + e1), e1 / (e0 + e1)};
  };
  GradientFn grad = [&](const Tensor& b, std::span<const std::int64_t> labels) {
    Tensor g(b.shape);
    for (std::int64_t i = 0; i < b.rows(); ++i) {
      const auto r = b.row(i);
      auto p = probs({r[0], r[1]});
      p[static_cast<std::size_t>(labels[static_cast<std::size_t>(i)])] -= 1;
      g.data[2 * i] = static_cast<float>(p[0]);                  // W^T column 0: (1, 0)
      g.data[2 * i + 1] = static_cast<float>(-2 * p[0] + p[1]);  // W^T column 1: (-2, 1)
    }
    return g;
  };
  Oracle oracle([](const Tensor& b) { return b; }, grad, 1);  // max_batch 1: split into rows
  const Tensor x({3, 2}, {0.5f, 0.5f, 0.2f, 0.9f, 0.99f, 0.0f});
  const std::vector<std::int64_t> y = {0, 1, 0};
  const InputDomain domain{{0.0f, -1.0f}, {1.0f, 1.0f}};  // ranges 1 and 2
  const Tensor adv = fgsm(oracle, x, y, domain, {0.1});
  // Row 0, y=0: p0 = softmax(-0.5, 0.5)_0 = 0.269; g = (p0-1, -2(p0-1)+p1) = (-0.73, 2.19).
  // Row 1, y=1: z = (-1.6, 0.9): g = (p0, -2 p0 + p1 - 1) = (+, -). Row 2, y=0: g = (-, +),
  // and x0 = 0.99 - 0.1 stays inside.
  const std::vector<float> want = {0.5f - 0.1f, 0.5f + 0.2f,  0.2f + 0.1f,
                                   0.9f - 0.2f, 0.99f - 0.1f, 0.0f + 0.2f};
  ASSERT_EQ(adv.shape, x.shape);
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_FLOAT_EQ(adv.data[i], want[i]) << i;
  EXPECT_EQ(oracle.gradient_queries(), 3);
  EXPECT_EQ(oracle.queries(), 0);
  // Clipped at the domain's edge: a big step from the corner stays in [lower, upper].
  const Tensor corner({1, 2}, {1.0f, 1.0f});
  const Tensor c = fgsm(oracle, corner, std::vector<std::int64_t>{1}, domain, {0.5});
  EXPECT_FLOAT_EQ(c.data[0], 1.0f);  // g0 = p0 > 0: 1 + 0.5 clipped to the upper bound
  EXPECT_FLOAT_EQ(c.data[1], 0.0f);  // g1 < 0: 1 - 0.5 * 2
  EXPECT_THROW(fgsm(oracle, x, y, domain, {0.0}), UsageError);
  EXPECT_THROW(fgsm(oracle, x, y, InputDomain{{0.0f}, {1.0f}}, {0.1}), UsageError);
}
