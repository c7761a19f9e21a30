#pragma once
// The tensor names of a SavedModel's signatures, read from its MetaGraphDef (the protobuf that
// TF_LoadSessionFromSavedModel hands back). The TF C API has no call for this and the wheel ships
// no protobuf headers for it, so this is a minimal reader of the protobuf wire format for the few
// fields on the path MetaGraphDef.signature_def[key].{inputs,outputs}[name].name; everything else
// (the graph, the saver, ...) is skipped by length.
#include <map>
#include <string>
#include <string_view>

namespace convbench {

struct Signature {
  std::map<std::string, std::string> inputs, outputs;  // argument name -> graph tensor name
};

// Signature key ("serving_default") -> its inputs and outputs. Throws Error on malformed bytes.
std::map<std::string, Signature> read_signatures(std::string_view meta_graph_def);

}  // namespace convbench
