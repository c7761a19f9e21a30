// RQ3 end to end on the tiny zoo models (ctest fixture zoo_models): the original framework's
// input gradient through its worker (LibTorch autograd; the SavedModel's input_gradient
// signature), FGSM through run_robustness, and a crashing converted runtime.
#include <cmath>
#include <cstdlib>

#include "attack/rq3.hpp"
#include "runtime/model_runner.hpp"
#include "core/error.hpp"
#include "metrics/fidelity.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

namespace fs = std::filesystem;

fs::path models_root() { return testing::zoo_test_models(); }

EvalOptions eval_options(const fs::path& model_dir) {
  EvalOptions o;
  o.model_dir = model_dir;
  o.data_dir = models_root() / "data";
  o.batch_size = 64;
  o.warmup_batches = 0;
  o.workers.threads = 1;
  o.workers.timeout = std::chrono::seconds(120);
  o.runtimes = {"onnxruntime", "torch", "tensorflow"};
  return o;
}

const AttackRecord& find(const std::vector<AttackRecord>& rs, const std::string& role) {
  for (const auto& r : rs)
    if (r.role == role) return r;
  throw Error("no record for " + role);
}

class Rq3Integration : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(models_root().empty()) << "CONVBENCH_TEST_MODELS not set (run through ctest)";
    model_dir_ = models_root() / "models" / GetParam();
  }
  void TearDown() override {
    ::unsetenv("CONVBENCH_WORKER_DIR");
    ::unsetenv("CONVBENCH_FAKE_MODE");
  }
  fs::path model_dir_;
};

// -log p[label] from the model's probabilities.
std::vector<double> losses(ModelRunner& w, const Tensor& x, std::span<const std::int64_t> y) {
  const Tensor p = to_f32(w.run(w.feed(x)).outputs.front());
  std::vector<double> out;
  for (std::int64_t i = 0; i < x.rows(); ++i)
    out.push_back(-std::log(std::max(1e-30, double(p.row(i)[y[static_cast<std::size_t>(i)]]))));
  return out;
}

TEST_P(Rq3Integration, WorkerGradientMatchesFiniteDifferences) {
  const EvalResult er = [&] {
    auto o = eval_options(model_dir_);
    o.limit = 8;
    return evaluate(o);
  }();
  const auto& orig = er.artefacts.front();
  const auto ws = eval_options(model_dir_).workers;
  ModelRunner w(orig.worker, orig.artefact.path, load_options(orig.artefact, ws), ws, "test");
  const Tensor& x = er.data.inputs;
  const auto& y = er.data.labels;
  const Tensor g = w.loss_gradient(x, y);
  ASSERT_EQ(g.shape, x.shape);
  // Directional derivative along the gradient: (L(x + h u) - L(x - h u)) / 2h = |g| for
  // u = g / |g| (central differences; the models are piecewise linear before the softmax).
  const double h = 1e-3;
  Tensor plus = x, minus = x;
  std::vector<double> norms;
  for (std::int64_t i = 0; i < x.rows(); ++i) {
    double n = 0;
    for (float v : g.row(i)) n += double(v) * v;
    norms.push_back(std::sqrt(n));
    const std::size_t row = x.row_size(), off = static_cast<std::size_t>(i) * row;
    for (std::size_t k = 0; k < row; ++k) {
      const double u = norms.back() > 0 ? g.data[off + k] / norms.back() : 0;
      plus.data[off + k] = static_cast<float>(x.data[off + k] + h * u);
      minus.data[off + k] = static_cast<float>(x.data[off + k] - h * u);
    }
  }
  const auto lp = losses(w, plus, y), lm = losses(w, minus, y);
  int checked = 0;
  for (std::size_t i = 0; i < norms.size(); ++i) {
    if (norms[i] < 1e-2) continue;  // a saturated sample: float32 differences are noise
    EXPECT_NEAR((lp[i] - lm[i]) / (2 * h), norms[i], 0.05 * norms[i] + 1e-3) << "sample " << i;
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST_P(Rq3Integration, FgsmOnTheOriginalThenTheConversions) {
  auto eo = eval_options(model_dir_);
  eo.limit = 128;
  const EvalResult er = evaluate(eo);
  RobustnessOptions ro;
  ro.inputs = 40;
  ro.attacks = {"fgsm", "genetic"};  // genetic does not apply to images: skipped
  ro.fgsm_epsilon["mnist"] = 0.3;
  ro.workers = eo.workers;
  const auto recs = run_robustness(er, ro);
  ASSERT_FALSE(recs.empty());
  for (const auto& r : recs) EXPECT_EQ(r.attack, "fgsm");
  const auto& onnx = find(recs, "onnx");
  ASSERT_EQ(onnx.status, "ok") << onnx.error;
  EXPECT_EQ(onnx.worker, "onnxruntime");
  // D: at most 40 of the inputs all three models get right (the tiny model gets ~1/4 right).
  EXPECT_GT(onnx.inputs, 0);
  EXPECT_LE(onnx.inputs, 40);
  EXPECT_EQ(onnx.attacked, onnx.inputs);
  EXPECT_EQ(onnx.queries, onnx.inputs);  // one gradient row per input
  EXPECT_GT(*onnx.success_original, 0.0);
  // A faithful conversion: the same labels on the adversarial set, outputs equal to float32.
  EXPECT_NEAR(*onnx.success_converted, *onnx.success_original, 1e-12);
  EXPECT_EQ(*onnx.misclassification, 0.0);
  EXPECT_LT(*onnx.abs_err_mean, 1e-5);
  EXPECT_EQ(onnx.params["epsilon"], 0.3);
  const auto& coreml = find(recs, "coreml");
  if (coreml.status != "conversion_failed") {
    EXPECT_EQ(coreml.status, "not_runnable");
    EXPECT_FALSE(coreml.success_converted);
    EXPECT_EQ(*coreml.success_original, *onnx.success_original);
  }
}

TEST_P(Rq3Integration, ACrashingConvertedRuntimeIsARecordNotACrash) {
  auto eo = eval_options(model_dir_);
  eo.limit = 64;
  const EvalResult er = evaluate(eo);
  // Swap the ONNX Runtime worker for the fake one, which dies on its 1st run after loading.
  const fs::path d =
      fs::temp_directory_path() / ("convbench-rq3-sabotage-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  for (const char* w : {"convbench-worker-torch", "convbench-worker-tensorflow"})
    if (fs::exists(worker_dir() / w)) fs::create_symlink(worker_dir() / w, d / w);
  fs::create_symlink(FAKE_WORKER_PATH, d / "convbench-worker-onnxruntime");
  ::setenv("CONVBENCH_WORKER_DIR", d.c_str(), 1);
  ::setenv("CONVBENCH_FAKE_MODE", "crash_after:0", 1);
  RobustnessOptions ro;
  ro.inputs = 16;
  ro.workers = eo.workers;
  const auto recs = run_robustness(er, ro);
  const auto& onnx = find(recs, "onnx");
  EXPECT_EQ(onnx.status, "failed");
  EXPECT_NE(onnx.error.find("signal 9"), std::string::npos) << onnx.error;
  EXPECT_TRUE(onnx.success_original);  // the original's side is kept
  fs::remove_all(d);
}

INSTANTIATE_TEST_SUITE_P(Zoo, Rq3Integration, ::testing::Values("keras", "pytorch"));

}  // namespace
}  // namespace convbench
