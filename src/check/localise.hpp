#pragma once
// For ONNX vs its original: the first layer whose output diverges beyond tolerance. The zoo's
// Python (onnx-tools dump) writes every layer's activation of the original (Keras: a sub-model
// over the layers' outputs; TorchScript, any model: its inlined graph, where every node keeps its
// module path, with each leaf module's output made an extra graph output) and every node output of the ONNX model (all exposed as graph outputs, run in
// ONNX Runtime) as .npy with a JSON index; matching and comparison are here.
//
// Matching is by name: an original layer ("conv2"; torch "net.conv2") matches the ONNX nodes
// whose name holds its name as consecutive path components ("/net/conv2/Conv",
// "model/conv2/BiasAdd"); the layer's output is the last such node in topological order whose
// output has the same elements per sample (NHWC<->NCHW permutations are undone). Layers are
// then walked in the original's execution order.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "check/model_run.hpp"
#include "check/thresholds.hpp"
#include "core/tensor.hpp"

namespace convbench {

struct LayerDivergence {
  std::string layer, layer_type;  // the original's
  std::string onnx_node, op_type;
  double max_abs = 0, max_rel = 0;
  std::int64_t elements = 0, failed_elements = 0;
  bool diverged() const { return failed_elements > 0; }
};

struct Localisation {
  bool possible = false;
  std::string reason;  // why not, when not possible
  std::string matching = "name";
  std::vector<LayerDivergence> layers;         // matched layers, execution order
  std::vector<std::string> unmatched;          // original layers with no ONNX counterpart
  std::optional<std::size_t> first_divergent;  // index into layers
};

struct LocaliseInput {
  ModelRef original, onnx;
  const Tensor& samples;                           // a few inputs (leading axis)
  Tolerance tolerance;
  std::filesystem::path work_dir;
  DType input_dtype = DType::f32;  // as the models take them (token ids: int64)
};

// Never throws for a model it cannot match: returns possible=false with the reason.
Localisation localise(const LocaliseInput& in);

// Pure matching + comparison over a dump index (unit-testable without Python).
Localisation compare_dump(const std::filesystem::path& index_json, Tolerance tol);

}  // namespace convbench
