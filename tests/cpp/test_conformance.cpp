// Every built worker against a reference computed by the framework itself (in the manner of
// llama.cpp's test-backend-ops): tiny models with the shapes of real ones (int64 token ids, two
// inputs, tuple / dict outputs, a scalar per sample, a BERT-style encoder with three int64
// inputs, a SavedModel with two inputs and two outputs), 7 rows run in batches of 2 so the last
// batch is short. One tolerance rule for all: |got - want| <= 1e-5 + 1e-4 |want|, as float64.
// The models: tests/conformance/make_models.py (ctest fixture conformance_models).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/npy.hpp"
#include "runtime/model_runner.hpp"
#include "runtime/registry.hpp"

namespace convbench {
namespace {
namespace fs = std::filesystem;

fs::path models_dir() {
  const char* d = std::getenv("CONVBENCH_CONFORMANCE_MODELS");
  return d != nullptr ? fs::path(d) : fs::path();
}

struct Case {
  std::string name, format;
  fs::path model;
  Values inputs, expected;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const char* f : {"index.torch.json", "index.tf.json"}) {
    std::ifstream in(models_dir() / f);
    if (!in) continue;
    for (const auto& c : nlohmann::json::parse(in)) {
      Case k{c["case"], c["format"], models_dir() / c["model"].get<std::string>(), {}, {}};
      for (const auto& i : c["inputs"])
        k.inputs.push_back(read_npy(models_dir() / i["file"].get<std::string>(), i["name"]));
      for (const auto& o : c["outputs"])
        k.expected.push_back(read_npy(models_dir() / o["file"].get<std::string>(), o["name"]));
      out.push_back(std::move(k));
    }
  }
  return out;
}

// Empty when `got` matches `want` (name, then dtype, shape and values by the one rule).
std::string differs(const Value& want, const Value& got) {
  if (want.name != got.name) return fmt::format("name '{}' vs expected '{}'", got.name, want.name);
  return first_difference(want, got, 1e-4, 1e-5);
}

bool built(const std::string& runtime) {
  return fs::exists(worker_dir() / ("convbench-worker-" + runtime));
}

TEST(Conformance, EveryWorkerMatchesTheFrameworkOnMultiTensorModels) {
  ASSERT_FALSE(models_dir().empty()) << "CONVBENCH_CONFORMANCE_MODELS not set (run through ctest)";
  const auto all = cases();
  ASSERT_GE(all.size(), 11U) << "conformance models missing in " << models_dir();
  WorkerSettings ws;
  ws.threads = 1;
  int passed = 0;
  for (const auto& c : all) {
    for (const auto& rt : runtimes_for_format(c.format)) {
      if (!built(rt)) continue;
      SCOPED_TRACE(c.name + " (" + c.format + ") in " + rt);
      LoadOptions lo;
      lo.threads = 1;
      std::unique_ptr<ModelRunner> mp;
      try {
        mp = std::make_unique<ModelRunner>(rt, c.model, lo, ws, "conformance");
      } catch (const WorkerError& e) {
        // OpenCV's importer lacks ops some exports use (Gather on an input): reported, not hidden.
        if (rt != "opencv" || e.kind() != WorkerFailure::error_reply) throw;
        std::cerr << "[ opencv   ] " << c.name << " does not load: " << e.what() << "\n";
        continue;
      }
      ModelRunner& m = *mp;
      // The signature names every input.
      ASSERT_EQ(m.signature().inputs.size(), c.inputs.size());
      for (std::size_t i = 0; i < c.inputs.size(); ++i)
        EXPECT_EQ(m.signature().inputs[i].name, c.inputs[i].name);
      const bool float_only = std::all_of(c.inputs.begin(), c.inputs.end(),
                                          [](const Value& v) { return v.dtype == DType::f32; });
      if (rt == "opencv" && !float_only) {
        // OpenCV DNN computes in float32: an int64 input is refused, naming it.
        try {
          m.run_set(c.inputs, 2);
          ADD_FAILURE() << "OpenCV ran int64 inputs";
        } catch (const WorkerError& e) {
          EXPECT_EQ(e.kind(), WorkerFailure::unsupported) << e.what();
          EXPECT_NE(std::string(e.what()).find("int64"), std::string::npos) << e.what();
        }
        continue;
      }
      SetRun r;
      try {
        r = m.run_set(c.inputs, 2);
      } catch (const WorkerError& e) {
        // OpenCV's importer lacks ops some exports use: reported, not hidden.
        if (rt == "opencv" && e.kind() == WorkerFailure::error_reply) {
          std::cerr << "[ opencv   ] " << c.name << ": " << e.what() << "\n";
          continue;
        }
        throw;
      }
      EXPECT_EQ(r.batch_s.size(), 4U);  // 2 + 2 + 2 + 1
      ASSERT_EQ(r.outputs.size(), c.expected.size());
      for (std::size_t k = 0; k < c.expected.size(); ++k) {
        const std::string d = differs(c.expected[k], r.outputs[k]);
        EXPECT_EQ(d, "");
      }
      ++passed;
    }
  }
  // ONNX Runtime, LibTorch and TensorFlow ran all 11; OpenCV adds the float-only ones it imports.
  EXPECT_GE(passed, 11);
}

// Where a runtime cannot take a dtype, the error names the tensor and the dtype.
TEST(Conformance, WrongDtypeIsNamed) {
  ASSERT_FALSE(models_dir().empty()) << "CONVBENCH_CONFORMANCE_MODELS not set (run through ctest)";
  for (const auto& c : cases()) {
    if (c.name != "token_classifier" || c.format != "onnx") continue;
    ModelRunner m("onnxruntime", c.model, {}, {}, "conformance");
    EXPECT_EQ(m.signature().inputs.at(0).dtype, DType::i64);
    EXPECT_EQ(m.signature().inputs.at(0).shape, (Shape{-1, 6}));
    const Values as_float{from_tensor("input_ids", to_f32(c.inputs[0]))};
    try {
      m.run(as_float);
      FAIL() << "float ids accepted";
    } catch (const WorkerError& e) {
      EXPECT_EQ(e.kind(), WorkerFailure::unsupported);
      EXPECT_NE(
          std::string(e.what()).find("input 'input_ids' is float32, the model declares int64"),
          std::string::npos)
          << e.what();
    }
    // The runner's feed casts exactly to the declared dtype: float ids become int64.
    const Values fed = m.feed(to_f32(c.inputs[0]));
    EXPECT_EQ(fed.at(0).dtype, DType::i64);
    EXPECT_EQ(fed.at(0).bytes, c.inputs[0].bytes);
    return;
  }
  FAIL() << "token_classifier.onnx missing";
}

}  // namespace
}  // namespace convbench
