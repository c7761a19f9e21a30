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

// torch.onnx's scoped names repeat each parent: "/layer2/layer2.0/downsample/downsample.0/Conv"
// for module layer2.0.downsample.0. Each "/" level's last dotted part gives the module path.
std::vector<std::string> scope_components(std::string_view name) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view level = name.substr(start, end - start);
    if (!level.empty()) {
      const auto dot = level.rfind('.');
      out.emplace_back(dot == std::string_view::npos ? level : level.substr(dot + 1));
    }
    start = end + 1;
  }
  return out;
}

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
    std::vector<std::string> parts, scoped;
    std::string name, op, file;
    Shape shape;
  };
  std::vector<Node> nodes;
  for (const auto& n : idx.at("onnx").at("nodes"))
    nodes.push_back({components(n.at("name").get<std::string>()),
                     scope_components(n.at("name").get<std::string>()), n.at("name"),
                     n.at("op_type"), n.at("file"), n.at("shape").get<Shape>()});
  const auto& layers = idx.at("original").at("layers");
  std::vector<const Node*> match(layers.size(), nullptr);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto want = components(layers[i].at("name").get<std::string>());
    const Shape shape = layers[i].at("shape").get<Shape>();
    for (const auto& n : nodes)
      if ((contains_run(n.parts, want) || contains_run(n.scoped, want)) &&
          per_sample(n.shape) == per_sample(shape))
        match[i] = &n;
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& l = layers[i];
    std::string name = l.at("name");
    if (!match[i]) {
      loc.unmatched.push_back(name);
      continue;
    }
    const Tensor o = read_npy_f32(dir / l.at("file").get<std::string>());
    const Tensor node_out = read_npy_f32(dir / match[i]->file);  // read once, compared below
    const Tensor c = as_original(node_out, o.shape);
    if (c.size() != o.size()) {
      loc.unmatched.push_back(name);
      continue;
    }
    const Node& node = *match[i];
    auto e = compare_elementwise(o, c, tol, 0);
    std::string type = l.value("type", "");
    // Exporters fuse a layer with the ones after it that have no node of their own (a Conv
    // absorbs the BatchNorm after it): then the node's output is the last fused layer's.
    std::size_t j = i + 1;
    while (j < layers.size() && !match[j] &&
           per_sample(layers[j].at("shape").get<Shape>()) == per_sample(o.shape))
      ++j;
    if (!e.passed() && j > i + 1) {
      // The fused chain ends where the node's output agrees best.
      std::size_t end = i;
      for (std::size_t k = i + 1; k < j; ++k) {
        const Tensor fo = read_npy_f32(dir / layers[k].at("file").get<std::string>());
        const Tensor fc = as_original(node_out, fo.shape);
        if (fc.size() != fo.size()) continue;
        const auto fe = compare_elementwise(fo, fc, tol, 0);
        if (fe.max_abs < e.max_abs) e = fe, end = k;
      }
      if (end > i) {
        for (std::size_t k = i + 1; k <= end; ++k)
          name += "+" + layers[k].at("name").get<std::string>();
        type += " (fused in ONNX)";
        i = end;
      }
    }
    LayerDivergence d{name,      type,      node.name,  node.op,
                      e.max_abs, e.max_rel, e.elements, e.failed_elements};
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
