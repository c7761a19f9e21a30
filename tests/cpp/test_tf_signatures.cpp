// The protobuf wire readers on hand-encoded protobuf: the TF worker's MetaGraphDef reader
// (src/runtime/tf/signatures.cpp) and the ONNX graph signature (src/runtime/onnx_signature.cpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "runtime/onnx_signature.hpp"
#include "runtime/tf/signatures.hpp"

namespace {
std::string varint(std::uint64_t v) {
  std::string s;
  do {
    auto b = static_cast<char>(v & 0x7f);
    v >>= 7;
    if (v != 0) b = static_cast<char>(b | 0x80);
    s += b;
  } while (v != 0);
  return s;
}
std::string field(std::uint32_t number, const std::string& bytes) {  // length-delimited
  return varint((number << 3) | 2) + varint(bytes.size()) + bytes;
}
std::string entry(const std::string& key, const std::string& value) {
  return field(1, key) + field(2, value);
}
std::string tensor_info(const std::string& name, int dtype = 1) {  // name, dtype (1 = DT_FLOAT)
  return field(1, name) + varint((2 << 3) | 0) + varint(static_cast<std::uint64_t>(dtype));
}
std::string dim(std::int64_t size) {
  return field(2, varint((1 << 3) | 0) + varint(static_cast<std::uint64_t>(size)));
}
}  // namespace

TEST(SavedModelSignatures, ReadsTheTensorNamesOfEverySignature) {
  const std::string serving =
      field(1, entry("input", tensor_info("serving_default_input:0"))) +
      field(2, entry("output", tensor_info("StatefulPartitionedCall_1:0"))) +
      field(3, "tensorflow/serving/predict");
  const std::string grad = field(1, entry("input", tensor_info("input_gradient_input:0"))) +
                           field(1, entry("label", tensor_info("input_gradient_label:0"))) +
                           field(2, entry("gradient", tensor_info("StatefulPartitionedCall:0")));
  // A graph_def (field 2) and a fixed64 field before the signatures are skipped.
  const std::string meta = field(2, std::string(300, '\x01')) + varint((9 << 3) | 1) +
                           std::string(8, '\0') + field(5, entry("serving_default", serving)) +
                           field(5, entry("input_gradient", grad));
  const auto sigs = convbench::read_signatures(meta);
  ASSERT_EQ(sigs.size(), 2u);
  EXPECT_EQ(sigs.at("serving_default").inputs.at("input").tensor, "serving_default_input:0");
  EXPECT_EQ(sigs.at("serving_default").outputs.at("output").tensor, "StatefulPartitionedCall_1:0");
  EXPECT_EQ(sigs.at("input_gradient").inputs.at("label").tensor, "input_gradient_label:0");
  EXPECT_EQ(sigs.at("input_gradient").outputs.at("gradient").tensor, "StatefulPartitionedCall:0");
  EXPECT_THROW(convbench::read_signatures(meta.substr(0, meta.size() - 3)), convbench::Error);
}

TEST(SavedModelSignatures, ReadsDtypesAndShapesOfSeveralInputsAndOutputs) {
  // input_ids: int64 [-1, 128]; attention_mask: int64, unknown rank; two float outputs.
  const std::string ids =
      tensor_info("serving_default_input_ids:0", 9) + field(3, dim(-1) + dim(128));
  const std::string mask = tensor_info("serving_default_attention_mask:0", 9) +
                           field(3, varint((3 << 3) | 0) + varint(1));
  const std::string serving = field(1, entry("input_ids", ids)) +
                              field(1, entry("attention_mask", mask)) +
                              field(2, entry("logits", tensor_info("out:0"))) +
                              field(2, entry("pooled", tensor_info("out:1", 19)));
  const auto sigs = convbench::read_signatures(field(5, entry("serving_default", serving)));
  const auto& s = sigs.at("serving_default");
  ASSERT_EQ(s.inputs.size(), 2u);
  ASSERT_EQ(s.outputs.size(), 2u);
  EXPECT_EQ(s.inputs.at("input_ids").dtype, 9);
  EXPECT_TRUE(s.inputs.at("input_ids").shape_known);
  EXPECT_EQ(s.inputs.at("input_ids").shape, (convbench::Shape{-1, 128}));
  EXPECT_FALSE(s.inputs.at("attention_mask").shape_known);
  EXPECT_EQ(s.outputs.at("pooled").dtype, 19);  // DT_HALF
  // Name order is the model's order.
  EXPECT_EQ(s.inputs.begin()->first, "attention_mask");
}

// Found by fuzz/fuzz_onnx_signature: names are sent on as JSON (the worker's load reply), and
// nlohmann throws type_error 316 serialising bytes that are not UTF-8; the readers refuse them.
TEST(WireStrings, NamesThatAreNotUtf8AreDataErrors) {
  const std::string bad = "in\xa3put";
  const auto sig = [](const std::string& arg, const std::string& tensor) {
    return field(5, entry("serving_default", field(1, entry(arg, tensor_info(tensor)))));
  };
  EXPECT_EQ(convbench::read_signatures(sig("caf\xc3\xa9", "x:0"))
                .at("serving_default")
                .inputs.count("caf\xc3\xa9"),
            1u);
  for (const auto& meta : {sig(bad, "x:0"), sig("x", bad), field(5, entry(bad, ""))}) {
    try {
      convbench::read_signatures(meta);
      ADD_FAILURE() << "no error";
    } catch (const convbench::DataError& e) {
      EXPECT_NE(std::string(e.what()).find("not UTF-8"), std::string::npos) << e.what();
    }
  }
  // ModelProto.graph (7) { input (11): ValueInfoProto { name (1) } }; overlong "/" and a lone
  // surrogate are not UTF-8 either.
  for (const std::string name : {bad, std::string("\xc0\xaf"), std::string("\xed\xa0\x80")}) {
    try {
      convbench::onnx_signature(field(7, field(11, field(1, name))), "m.onnx");
      ADD_FAILURE() << "no error";
    } catch (const convbench::DataError& e) {
      EXPECT_NE(std::string(e.what()).find("m.onnx: a graph input or output name is not UTF-8"),
                std::string::npos)
          << e.what();
    }
  }
  const auto ok =
      convbench::onnx_signature(field(7, field(11, field(1, "\xf0\x9f\x98\x80"))), "m.onnx");
  ASSERT_EQ(ok.inputs.size(), 1u);
  EXPECT_EQ(ok.inputs[0].name, "\xf0\x9f\x98\x80");
}
