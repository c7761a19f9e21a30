#pragma once
// An ONNX model's graph inputs (less initializers) and outputs with their element types and
// shapes, read from the ModelProto with the wire reader: for runtimes whose API does not report
// them (OpenCV DNN) and for tools that need them without a runtime.
#include <filesystem>
#include <string_view>

#include "runtime/backend.hpp"

namespace convbench {

ModelSignature onnx_signature(std::string_view model_proto, const std::string& what);
ModelSignature read_onnx_signature(const std::filesystem::path& model);

}  // namespace convbench
