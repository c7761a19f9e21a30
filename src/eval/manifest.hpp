#pragma once
// The zoo's manifest.json: what a trained model is, how its inputs look, and which artefacts
// (original, ONNX, Core ML) exist or failed to convert. Schema: zoo/README.md.
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/tensor.hpp"

namespace convbench {

struct Artefact {
  std::string role;            // "original", "onnx", "coreml"
  std::string format;          // "tf_savedmodel", "torchscript", "onnx", "coreml_mlprogram"
  std::filesystem::path path;  // absolute
  std::string status;          // "ok" or "failed" (conversion failure)
  std::string error;           // the converter's error when failed
  std::string converter;
  std::string tf_input, tf_output;  // SavedModel signature tensor names
  // The SavedModel's input_gradient signature (image models): input, label, gradient tensors.
  std::string tf_grad_input, tf_grad_label, tf_grad_output;
};

struct Manifest {
  std::filesystem::path dir;
  std::string model, framework, dataset;
  std::int64_t seed = 0;
  std::string layout;               // "NCHW" / "NHWC"
  Shape input_shape;                // per sample
  nlohmann::json raw;               // everything, for the eval JSON
  std::vector<Artefact> artefacts;  // original first
};

// Throws DataError naming the file for a missing, unparsable or incomplete manifest.
Manifest read_manifest(const std::filesystem::path& model_dir);

}  // namespace convbench
