#pragma once
// A SavedModel's signatures, read from its MetaGraphDef (the protobuf that
// TF_LoadSessionFromSavedModel hands back): every input and output with its graph tensor name,
// dtype and shape. The TF C API has no call for this and the wheel ships no protobuf headers for
// it, so the fields on the path MetaGraphDef.signature_def[key].{inputs,outputs}[name] are read
// with the wire reader (core/protobuf_wire.hpp); everything else is skipped by length.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/tensor.hpp"

namespace convbench {

struct SignatureTensor {
  std::string tensor;  // graph tensor name, "serving_default_input:0"
  int dtype = 0;       // TensorFlow's DataType enum (= TF_DataType): 1 float, 9 int64, ...
  Shape shape;         // -1: unknown dimension
  bool shape_known = false;
};

struct Signature {
  // Argument name -> tensor; a map, so the model's order is the names' order (as in
  // SavedModel CLI's output).
  std::map<std::string, SignatureTensor> inputs, outputs;
};

// Signature key ("serving_default") -> its inputs and outputs. Throws DataError on malformed bytes.
std::map<std::string, Signature> read_signatures(std::string_view meta_graph_def);

}  // namespace convbench
