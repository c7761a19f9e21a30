#include "eval/manifest.hpp"

#include <fstream>
#include <limits>

#include "core/error.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

// An integer from a JSON integer only: nlohmann's get<int64_t>() of a float casts it, which is
// undefined behaviour for 1e300, and an unsigned one past 2^63 would wrap.
std::int64_t integer(const nlohmann::json& j, std::string_view key, const fs::path& file) {
  if (!j.is_number_integer() ||
      (j.is_number_unsigned() && j.get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max()))
    fail<DataError>("{}: {} must be an integer (int64), not {}", file.string(), key, j.dump());
  return j.get<std::int64_t>();
}

}  // namespace

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
    if (m.raw.contains("seed")) m.seed = integer(m.raw.at("seed"), "seed", file);
    m.layout = m.raw.at("input").at("layout");
    const auto& shape = m.raw.at("input").at("shape");
    if (!shape.is_array())
      fail<DataError>("{}: input.shape must be a list, not {}", file.string(), shape.dump());
    for (const auto& d : shape) m.input_shape.push_back(integer(d, "input.shape", file));
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
