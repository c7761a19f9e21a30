#include "eval/manifest.hpp"

#include <fstream>

#include "core/error.hpp"

namespace convbench {
namespace fs = std::filesystem;

Manifest read_manifest(const fs::path& dir) {
  const fs::path file = dir / "manifest.json";
  std::ifstream in(file);
  if (!in)
    fail<DataError>("{}: no manifest (is this a model directory written by the zoo?)",
                    file.string());
  Manifest m;
  m.dir = fs::absolute(dir);
  try {
    m.raw = nlohmann::json::parse(in);
    m.model = m.raw.at("model");
    m.framework = m.raw.at("framework");
    m.dataset = m.raw.at("dataset");
    m.seed = m.raw.value("seed", 0);
    m.layout = m.raw.at("input").at("layout");
    m.input_shape = m.raw.at("input").at("shape").get<Shape>();
    for (const char* role : {"original", "onnx", "coreml"}) {
      const auto& arts = m.raw.at("artefacts");
      if (!arts.contains(role)) continue;
      const auto& a = arts.at(role);
      Artefact art;
      art.role = role;
      art.format = a.at("format");
      art.path = m.dir / a.at("path").get<std::string>();
      art.status = a.value("status", "ok");
      if (a.contains("error") && a["error"].is_string()) art.error = a["error"];
      if (a.contains("converter") && a["converter"].is_string()) art.converter = a["converter"];
      art.tf_input = a.value("tf_input", "");
      art.tf_output = a.value("tf_output", "");
      art.tf_grad_input = a.value("tf_grad_input", "");
      art.tf_grad_label = a.value("tf_grad_label", "");
      art.tf_grad_output = a.value("tf_grad_output", "");
      m.artefacts.push_back(std::move(art));
    }
  } catch (const nlohmann::json::exception& e) {
    fail<DataError>("{}: malformed manifest: {}", file.string(), e.what());
  }
  if (m.artefacts.empty() || m.artefacts.front().role != "original")
    fail<DataError>("{}: manifest lists no original artefact", file.string());
  return m;
}

}  // namespace convbench
