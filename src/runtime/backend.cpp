#include "runtime/backend.hpp"

#include <algorithm>

namespace convbench {

nlohmann::json to_json(const TensorInfo& t) {
  nlohmann::json j = {{"name", t.name}, {"shape", t.shape}};
  j["dtype"] = t.dtype ? nlohmann::json(std::string(dtype_name(*t.dtype))) : nlohmann::json();
  if (!t.shape_known) j["shape"] = nullptr;
  return j;
}

TensorInfo tensor_info_from_json(const nlohmann::json& j) {
  TensorInfo t;
  t.name = j.at("name").get<std::string>();
  if (j.contains("dtype") && j["dtype"].is_string()) {
    t.dtype = parse_dtype(j["dtype"].get<std::string>());
    if (!t.dtype) fail<WorkerError>("unknown dtype {} for tensor '{}'", j["dtype"].dump(), t.name);
  }
  if (j.contains("shape") && j["shape"].is_array()) {
    // Integers only: get<Shape>() would cast a float such as 1e300 to int64 (undefined).
    for (const auto& d : j["shape"]) {
      if (!d.is_number_integer())
        throw WorkerError(
            fmt::format("malformed shape {} for tensor '{}'", j["shape"].dump(), t.name),
            WorkerFailure::protocol);
      t.shape.push_back(d.get<std::int64_t>());
    }
  } else {
    t.shape_known = false;
  }
  return t;
}

nlohmann::json to_json(const ModelSignature& s) {
  nlohmann::json in = nlohmann::json::array(), out = nlohmann::json::array();
  for (const auto& t : s.inputs) in.push_back(to_json(t));
  for (const auto& t : s.outputs) out.push_back(to_json(t));
  return {
      {"inputs", in}, {"outputs", out}, {"outputs_known", s.outputs_known}, {"details", s.details}};
}

ModelSignature signature_from_json(const nlohmann::json& j) {
  ModelSignature s;
  for (const auto& t : j.at("inputs")) s.inputs.push_back(tensor_info_from_json(t));
  for (const auto& t : j.at("outputs")) s.outputs.push_back(tensor_info_from_json(t));
  s.outputs_known = j.value("outputs_known", true);
  if (j.contains("details")) s.details = j["details"];
  return s;
}

namespace {
std::string names(const Values& feed) {
  std::string out;
  for (const auto& v : feed) out += (out.empty() ? "" : ", ") + v.name;
  return out.empty() ? "none" : out;
}
}  // namespace

const Value& input_named(const Values& feed, const std::string& name) {
  if (const Value* v = find_value(feed, name)) return *v;
  fail("the model's input '{}' was not given (given: {})", name, names(feed));
}

void check_feed(const Values& feed, std::span<const TensorInfo> declared) {
  for (const auto& d : declared) (void)input_named(feed, d.name);
  for (const auto& v : feed)
    if (std::none_of(declared.begin(), declared.end(),
                     [&](const TensorInfo& d) { return d.name == v.name; })) {
      std::string want;
      for (const auto& d : declared) want += (want.empty() ? "" : ", ") + d.name;
      fail("the model has no input '{}' (its inputs: {})", v.name, want);
    }
}

}  // namespace convbench
