#include "check/localise.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "check/compare.hpp"
#include "check/zoo_tools.hpp"
#include "core/error.hpp"
#include "core/npy.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

std::vector<std::string> components(std::string_view name) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : name) {
    if (ch == '/' || ch == '.' || ch == ':') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool contains_run(const std::vector<std::string>& hay, const std::vector<std::string>& needle) {
  if (needle.empty() || needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (std::equal(needle.begin(), needle.end(), hay.begin() + static_cast<std::ptrdiff_t>(i)))
      return true;
  return false;
}

std::int64_t per_sample(const Shape& s) {
  return s.size() < 2 ? 1 : static_cast<std::int64_t>(element_count(std::span(s).subspan(1)));
}

// The ONNX activation in the original's shape: as is, NCHW->NHWC, or flattened.
Tensor as_original(const Tensor& onnx, const Shape& orig) {
  if (onnx.shape == orig) return onnx;
  if (onnx.shape.size() == 4 && orig.size() == 4 && onnx.shape[1] == orig[3] &&
      onnx.shape[2] == orig[1] && onnx.shape[3] == orig[2])
    return permute_samples(onnx, {1, 2, 0});
  if (onnx.shape.size() == 4 && orig.size() == 4 && onnx.shape[3] == orig[1] &&
      onnx.shape[1] == orig[2] && onnx.shape[2] == orig[3])
    return permute_samples(onnx, {2, 0, 1});
  return Tensor(orig, onnx.data);
}

}  // namespace

Localisation compare_dump(const fs::path& index_json, Tolerance tol) {
  std::ifstream in(index_json);
  if (!in) fail<DataError>("{}: cannot read the activation index", index_json.string());
  const auto idx = nlohmann::json::parse(in);
  const fs::path dir = index_json.parent_path();
  Localisation loc;
  struct Node {
    std::vector<std::string> parts;
    std::string name, op, file;
    Shape shape;
  };
  std::vector<Node> nodes;
  for (const auto& n : idx.at("onnx").at("nodes"))
    nodes.push_back({components(n.at("name").get<std::string>()), n.at("name"), n.at("op_type"),
                     n.at("file"), n.at("shape").get<Shape>()});
  for (const auto& l : idx.at("original").at("layers")) {
    const std::string name = l.at("name");
    const Shape shape = l.at("shape").get<Shape>();
    const auto want = components(name);
    const Node* match = nullptr;
    for (const auto& n : nodes)
      if (contains_run(n.parts, want) && per_sample(n.shape) == per_sample(shape)) match = &n;
    if (!match) {
      loc.unmatched.push_back(name);
      continue;
    }
    const Tensor o = read_npy_f32(dir / l.at("file").get<std::string>());
    const Tensor c = as_original(read_npy_f32(dir / match->file), o.shape);
    if (c.size() != o.size()) {
      loc.unmatched.push_back(name);
      continue;
    }
    const auto e = compare_elementwise(o, c, tol, 0);
    LayerDivergence d{name,      l.value("type", ""), match->name, match->op,
                      e.max_abs, e.max_rel,           e.elements,  e.failed_elements};
    if (!loc.first_divergent && d.diverged()) loc.first_divergent = loc.layers.size();
    loc.layers.push_back(std::move(d));
  }
  loc.possible = !loc.layers.empty();
  if (!loc.possible)
    loc.reason = fmt::format(
        "no layer of the original matches an ONNX node by name ({} layers, {} nodes): the "
        "converter renamed them",
        loc.unmatched.size(), nodes.size());
  return loc;
}

Localisation localise(const LocaliseInput& in) {
  Localisation loc;
  if (in.onnx.format != "onnx") {
    loc.reason = "localisation needs an ONNX converted model";
    return loc;
  }
  if (in.original.format == "torchscript" && !in.model_dir) {
    loc.reason =
        "a TorchScript original has no per-layer hooks: give the zoo model directory "
        "(--model-dir) so its eager definition can be used";
    return loc;
  }
  if (in.original.format != "torchscript" && in.original.format != "tf_savedmodel") {
    loc.reason = fmt::format("no activation dump for a {} original", in.original.format);
    return loc;
  }
  try {
    fs::create_directories(in.work_dir);
    const fs::path samples = in.work_dir / "samples.npy";
    write_npy(samples, cast_exact(from_tensor("input", in.samples), in.input_dtype));
    std::vector<std::string> args = {"dump",
                                     "--original",
                                     in.original.path.string(),
                                     "--format",
                                     in.original.format,
                                     "--onnx",
                                     in.onnx.path.string(),
                                     "--inputs",
                                     samples.string(),
                                     "--out",
                                     in.work_dir.string()};
    if (in.model_dir) args.insert(args.end(), {"--model-dir", in.model_dir->string()});
    run_onnx_tools(args, in.work_dir / "dump.log");
    loc = compare_dump(in.work_dir / "index.json", in.tolerance);
  } catch (const Error& e) {
    loc.possible = false;
    loc.reason = fmt::format("activation dump failed: {}", e.what());
  } catch (const nlohmann::json::exception& e) {
    loc.possible = false;
    loc.reason = fmt::format("activation index unreadable: {}", e.what());
  }
  return loc;
}

}  // namespace convbench
