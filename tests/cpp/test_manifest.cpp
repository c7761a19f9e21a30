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

// Found by fuzz/fuzz_manifest: a float seed or dimension went through nlohmann's get<int>(), a
// cast that is undefined behaviour for 1e300; they are DataErrors naming the key now.
TEST_F(ManifestTest, NonIntegerSeedAndShapeRejected) {
  const auto manifest = [](const std::string& seed, const std::string& shape) {
    return R"({"model":"x","framework":"keras","dataset":"mnist","seed":)" + seed +
           R"(,"input":{"layout":"NHWC","shape":)" + shape +
           R"(},"artefacts":{"original":{"format":"onnx","path":"m.onnx"}}})";
  };
  write(manifest("1e300", "[1]"));
  EXPECT_THROW_WITH(read_manifest(dir_), DataError, "manifest.json", "seed", "1e+300");
  write(manifest("18446744073709551615", "[1]"));
  EXPECT_THROW_WITH(read_manifest(dir_), DataError, "seed", "int64");
  write(manifest("1", "[28, 1e300]"));
  EXPECT_THROW_WITH(read_manifest(dir_), DataError, "manifest.json", "input.shape");
  write(manifest("1", "28"));
  EXPECT_THROW_WITH(read_manifest(dir_), DataError, "input.shape must be a list");
  write(manifest("-2", "[28, 28, 1]"));
  EXPECT_EQ(read_manifest(dir_).seed, -2);
}

}  // namespace
}  // namespace convbench
