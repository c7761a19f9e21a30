#include <fstream>

#include "core/error.hpp"
#include "eval/manifest.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

class ManifestTest : public testing::TempDirTest {
 protected:
  void write(const std::string& text) { std::ofstream(dir_ / "manifest.json") << text; }
};

TEST_F(ManifestTest, ReadsArtefactsInRoleOrder) {
  write(R"({"model":"lenet5","framework":"keras","dataset":"mnist","seed":3,
    "input":{"layout":"NHWC","shape":[28,28,1]},
    "artefacts":{"coreml":{"format":"coreml_mlprogram","path":"m.mlpackage","status":"failed","error":"boom"},
                 "original":{"format":"tf_savedmodel","path":"saved_model","status":"ok","tf_input":"a:0","tf_output":"b:0"},
                 "onnx":{"format":"onnx","path":"model.onnx","status":"ok","error":null}}})");
  const Manifest m = read_manifest(dir_);
  ASSERT_EQ(m.artefacts.size(), 3U);
  EXPECT_EQ(m.artefacts[0].role, "original");
  EXPECT_EQ(m.artefacts[0].tf_input, "a:0");
  EXPECT_EQ(m.artefacts[1].role, "onnx");
  EXPECT_EQ(m.artefacts[2].status, "failed");
  EXPECT_EQ(m.artefacts[2].error, "boom");
  EXPECT_EQ(m.artefacts[0].path, std::filesystem::absolute(dir_) / "saved_model");
  EXPECT_EQ(m.input_shape, (Shape{28, 28, 1}));
  EXPECT_EQ(m.seed, 3);
}

TEST_F(ManifestTest, MissingMalformedAndIncomplete) {
  EXPECT_THROW_WITH(read_manifest(dir_), DataError, "manifest.json", "no manifest");
  write("{not json");
  EXPECT_THROW_WITH(read_manifest(dir_), DataError, "malformed manifest");
  write(R"({"model":"x","framework":"keras","dataset":"mnist","input":{"layout":"NHWC","shape":[1]},
           "artefacts":{"onnx":{"format":"onnx","path":"m.onnx"}}})");
  EXPECT_THROW_WITH(read_manifest(dir_), DataError, "no original");
}

}  // namespace
}  // namespace convbench
