// End to end on tiny zoo models (made by the ctest fixture tests/integration/make_models.sh):
// every real worker runs them; ONNX matches the original; a worker that crashes, returns NaN
// or meets a corrupt file becomes an error result while the other artefacts' results survive.
#include <cstdlib>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "eval/evaluate.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

namespace fs = std::filesystem;

fs::path models_root() { return testing::zoo_test_models(); }

EvalOptions options(const fs::path& model_dir) {
  EvalOptions o;
  o.model_dir = model_dir;
  o.data_dir = models_root() / "data";
  o.batch_size = 32;
  o.warmup_batches = 1;
  o.workers.threads = 1;
  o.workers.timeout = std::chrono::seconds(120);
  return o;
}

// The row of an artefact role, run by `worker` (any worker when empty).
const ArtefactResult& find(const EvalResult& r, std::string_view role,
                           std::string_view worker = "") {
  for (const auto& a : r.artefacts)
    if (a.artefact.role == role && (worker.empty() || a.worker == worker)) return a;
  throw Error(fmt::format("no artefact {} {}", role, worker));
}

class EvalIntegration : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(models_root().empty()) << "CONVBENCH_TEST_MODELS not set (run through ctest)";
    model_dir_ = models_root() / "models" / GetParam();
    ASSERT_TRUE(fs::exists(model_dir_ / "manifest.json")) << model_dir_;
  }
  void TearDown() override {
    ::unsetenv("CONVBENCH_WORKER_DIR");
    ::unsetenv("CONVBENCH_FAKE_MODE");
  }

  // A worker directory where the ONNX Runtime worker is the scripted fake one.
  fs::path sabotaged_worker_dir(const std::string& mode) {
    const fs::path d =
        fs::temp_directory_path() / ("convbench-sabotage-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    const fs::path real = worker_dir();
    for (const char* w :
         {"convbench-worker-torch", "convbench-worker-tensorflow", "convbench-worker-opencv"})
      if (fs::exists(real / w)) fs::create_symlink(real / w, d / w);
    fs::create_symlink(FAKE_WORKER_PATH, d / "convbench-worker-onnxruntime");
    ::setenv("CONVBENCH_WORKER_DIR", d.c_str(), 1);
    ::setenv("CONVBENCH_FAKE_MODE", mode.c_str(), 1);
    return d;
  }

  fs::path model_dir_;
};

TEST_P(EvalIntegration, EveryWorkerRunsAndOnnxMatchesOriginal) {
  const EvalResult r = evaluate(options(model_dir_));
  EXPECT_EQ(r.samples, 256);
  const auto& orig = find(r, "original");
  ASSERT_EQ(orig.status, ArtefactStatus::ok) << orig.error;
  EXPECT_GT(*orig.accuracy, 0.0);
  EXPECT_GT(*orig.size_bytes, 0U);
  EXPECT_GT(*orig.peak_rss_bytes, 0U);
  EXPECT_EQ(orig.latency->count, 8U);  // 256 / 32 batches
  const auto& onnx = find(r, "onnx", "onnxruntime");
  ASSERT_EQ(onnx.status, ArtefactStatus::ok) << onnx.error;
  ASSERT_TRUE(onnx.fidelity) << onnx.fidelity_error;
  EXPECT_LT(onnx.fidelity->max_abs_element, 1e-5);
  EXPECT_EQ(onnx.fidelity->misclassification, 0.0);
  EXPECT_NEAR(*onnx.accuracy, *orig.accuracy, 1e-12);
  // The same ONNX file in the second runtime: an independent importer and kernels.
  const auto& cv = find(r, "onnx", "opencv");
  ASSERT_EQ(cv.status, ArtefactStatus::ok) << cv.error;
  EXPECT_NE(cv.runtime.find("opencv"), std::string::npos);
  ASSERT_TRUE(cv.fidelity) << cv.fidelity_error;
  EXPECT_LT(cv.fidelity->max_abs_element, 1e-5);
  const auto& coreml = find(r, "coreml");
  if (coreml.artefact.status == "ok") {
    EXPECT_EQ(coreml.status, ArtefactStatus::not_runnable);
    EXPECT_NE(coreml.error.find("not runnable on this platform"), std::string::npos);
    EXPECT_GT(*coreml.size_bytes, 0U);
    EXPECT_FALSE(coreml.accuracy);
  } else {
    EXPECT_EQ(coreml.status, ArtefactStatus::conversion_failed);
    EXPECT_FALSE(coreml.error.empty());
  }
  const auto j = to_json(r);
  EXPECT_EQ(j["artefacts"][0]["role"], "original");
  EXPECT_TRUE(j["artefacts"][1]["fidelity"]["abs_error"]["mean"].is_number());
}

TEST_P(EvalIntegration, CrashedWorkerIsAResultAndOthersSurvive) {
  sabotaged_worker_dir("crash_after:3");
  const EvalResult r = evaluate(options(model_dir_));
  const auto& orig = find(r, "original");
  ASSERT_EQ(orig.status, ArtefactStatus::ok) << orig.error;
  EXPECT_TRUE(orig.accuracy);
  const auto& onnx = find(r, "onnx", "onnxruntime");
  EXPECT_EQ(onnx.status, ArtefactStatus::failed);
  EXPECT_EQ(find(r, "onnx", "opencv").status, ArtefactStatus::ok);  // the same file, other worker
  EXPECT_NE(onnx.error.find("signal 9"), std::string::npos) << onnx.error;
  EXPECT_FALSE(onnx.fidelity);
}

TEST_P(EvalIntegration, NanOutputsAreAnErrorResult) {
  sabotaged_worker_dir("nan");
  const EvalResult r = evaluate(options(model_dir_));
  const auto& onnx = find(r, "onnx", "onnxruntime");
  EXPECT_EQ(onnx.status, ArtefactStatus::failed);
  EXPECT_NE(onnx.error.find("NaN/Inf"), std::string::npos) << onnx.error;
  EXPECT_EQ(find(r, "original").status, ArtefactStatus::ok);
}

TEST_P(EvalIntegration, CorruptOnnxFileIsNamed) {
  const fs::path copy =
      fs::temp_directory_path() / ("convbench-corrupt-" + GetParam() + std::to_string(::getpid()));
  fs::remove_all(copy);
  fs::copy(model_dir_, copy, fs::copy_options::recursive);
  const std::string junk = "this is not a protobuf";
  write_file(copy / "model.onnx", junk.data(), junk.size());
  const EvalResult r = evaluate(options(copy));
  for (const char* worker : {"onnxruntime", "opencv"}) {
    const auto& onnx = find(r, "onnx", worker);
    EXPECT_EQ(onnx.status, ArtefactStatus::failed) << worker;
    EXPECT_NE(onnx.error.find("model.onnx"), std::string::npos) << onnx.error;
  }
  const auto& onnx = find(r, "onnx");
  EXPECT_NE(onnx.error.find("model.onnx"), std::string::npos) << onnx.error;
  EXPECT_EQ(find(r, "original").status, ArtefactStatus::ok);
  fs::remove_all(copy);
}

INSTANTIATE_TEST_SUITE_P(Zoo, EvalIntegration, ::testing::Values("keras", "pytorch"));

}  // namespace
}  // namespace convbench
