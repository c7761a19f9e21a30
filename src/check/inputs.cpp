#include "check/inputs.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/npy.hpp"
#include "data/archive.hpp"
#include "data/test_set.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

// Generated inputs are drawn in memory as float32: a size the machine cannot hold is refused
// before anything is allocated, naming --count.
void check_fits(const Shape& shape, std::string_view input) {
  double elements = 1;
  for (auto d : shape) elements *= static_cast<double>(d);
  const double bytes = elements * sizeof(float);
  const double memory = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) *
                        static_cast<double>(::sysconf(_SC_PAGE_SIZE));
  if (bytes > memory / 2)
    fail<UsageError>(
        "--count {}: generated input '{}' of shape {} would take {:.3g} GiB, more than half of "
        "this machine's memory ({:.3g} GiB)",
        shape.front(), input, shape_str(shape), bytes / (1 << 30), memory / (1 << 30));
}

bool is_label_name(std::string_view stem) {
  return stem == "y" || stem == "labels" || stem == "label";
}

LabelledTensor from_arrays(std::vector<std::pair<std::string, std::string>> arrays,
                           const std::string& what) {
  // Name order, so a folder of sample_000.npy, sample_001.npy ... keeps its order.
  std::sort(arrays.begin(), arrays.end());
  LabelledTensor out;
  std::vector<Tensor> parts;
  for (const auto& [name, bytes] : arrays) {
    const std::string stem = fs::path(name).stem().string();
    // "dir:sample_000.npy" inside a folder or .npz; a single file is named once.
    std::string where = what;
    if (name != fs::path(what).filename().string()) where.append(":").append(name);
    if (is_label_name(stem)) {
      out.labels = parse_npy_labels(bytes, where);
    } else {
      parts.push_back(parse_npy_f32(bytes, where));
      if (!parts.empty() && parts.back().shape.size() != parts.front().shape.size())
        fail<DataError>("{}: array {} has shape {}, the first has {}", what, name,
                        shape_str(parts.back().shape), shape_str(parts.front().shape));
    }
  }
  if (parts.empty()) fail<DataError>("{}: no input arrays", what);
  try {
    out.inputs = concat_rows(parts);
  } catch (const std::exception& e) {
    fail<DataError>("{}: arrays do not stack along the leading axis: {}", what, e.what());
  }
  if (!out.labels.empty() && static_cast<std::int64_t>(out.labels.size()) != out.inputs.rows())
    fail<DataError>("{}: {} labels for {} inputs", what, out.labels.size(), out.inputs.rows());
  return out;
}

std::string read_text(const fs::path& p) {
  const Bytes b = read_file(p);
  return {b.begin(), b.end()};
}

LabelledTensor from_files(const fs::path& p) {
  if (!fs::exists(p)) fail<UsageError>("{}: no such input file or folder", p.string());
  std::vector<std::pair<std::string, std::string>> arrays;
  if (fs::is_directory(p)) {
    for (const auto& e : fs::directory_iterator(p))
      if (e.is_regular_file() && e.path().extension() == ".npy")
        arrays.emplace_back(e.path().filename().string(), read_text(e.path()));
  } else if (p.extension() == ".npz") {
    ArchiveReader zip(p);
    while (zip.next()) arrays.emplace_back(std::string(zip.entry_path()), zip.read());
  } else {
    arrays.emplace_back(p.filename().string(), read_text(p));
  }
  return from_arrays(std::move(arrays), p.string());
}

LabelledTensor generated(const InputSpec& s) {
  if (s.high <= s.low) fail<UsageError>("generated inputs: range [{}, {}) is empty", s.low, s.high);
  if (s.generate_count <= 0) fail<UsageError>("--count must be positive, not {}", s.generate_count);
  Shape shape{s.generate_count};
  shape.insert(shape.end(), s.generate_shape.begin(), s.generate_shape.end());
  check_fits(shape, "input");
  Tensor t(shape);
  std::mt19937_64 rng(s.seed);
  std::uniform_real_distribution<double> u(s.low, s.high);
  for (auto& v : t.data) v = static_cast<float>(s.integer ? std::floor(u(rng)) : u(rng));
  return {std::move(t), {}};
}

}  // namespace

Tensor parse_npy_f32(std::string_view bytes, const std::string& what) {
  const Value v = parse_npy(bytes, what);
  if (v.shape.empty()) fail<DataError>("{}: a 0-d array has no samples", what);
  return to_f32(v);
}

std::vector<std::int64_t> parse_npy_labels(std::string_view bytes, const std::string& what) {
  const Value v = parse_npy(bytes, what, what);
  if (v.shape.size() != 1)
    fail<DataError>("{}: labels must be 1-D, not {}", what, shape_str(v.shape));
  const Value l = cast_exact(v, DType::i64);
  const auto r = l.raw<std::int64_t>();
  return {r.begin(), r.end()};
}

std::string describe(const InputSpec& s) {
  if (!s.dataset.empty()) return fmt::format("{} test split ({})", s.dataset, s.data_dir.string());
  if (!s.files.empty()) return s.files.string();
  if (s.generate_auto) {
    std::string r;
    for (const auto& [name, lr] : s.ranges)
      r += fmt::format(", {} in [{}, {})", name, lr.first, lr.second);
    return fmt::format("{} generated samples per declared input (seed {}{})", s.generate_count,
                       s.seed, r);
  }
  return fmt::format("{} generated samples of shape {} in [{}, {}){} (seed {})", s.generate_count,
                     shape_str(s.generate_shape), s.low, s.high, s.integer ? ", integers" : "",
                     s.seed);
}

LabelledTensor load_check_inputs(const InputSpec& s) {
  const int sources =
      !s.dataset.empty() + !s.files.empty() + !s.generate_shape.empty() + s.generate_auto;
  if (sources != 1)
    fail<UsageError>("give exactly one input source: --dataset, --inputs or --generate (got {})",
                     sources);
  LabelledTensor d;
  if (!s.dataset.empty()) {
    TestSetOptions o{s.layout, s.limit, s.vocab_file, s.seq_len};
    d = load_test_set(s.dataset, s.data_dir, o);
  } else if (!s.files.empty()) {
    d = from_files(s.files);
  } else {
    d = generated(s);
  }
  if (s.limit > 0 && d.inputs.rows() > s.limit) {
    d.inputs = d.inputs.slice_rows(0, s.limit);
    if (!d.labels.empty()) d.labels.resize(static_cast<std::size_t>(s.limit));
  }
  if (d.inputs.rows() == 0) fail<DataError>("{}: no samples", describe(s));
  return d;
}

Values generate_feed(std::span<const TensorInfo> inputs, const InputSpec& s) {
  if (s.generate_count <= 0) fail<UsageError>("--count must be positive, not {}", s.generate_count);
  const auto known = [&](const std::string& name) {
    return std::any_of(inputs.begin(), inputs.end(),
                       [&](const TensorInfo& t) { return t.name == name; });
  };
  std::string names;
  for (const auto& t : inputs) names += (names.empty() ? "" : ", ") + t.name;
  for (const auto& [name, _] : s.shapes)
    if (!known(name))
      fail<UsageError>("--shape {}: the model has no such input (its inputs: {})", name, names);
  for (const auto& [name, _] : s.ranges)
    if (!known(name))
      fail<UsageError>("--range {}: the model has no such input (its inputs: {})", name, names);
  Values out;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const TensorInfo& t = inputs[k];
    Shape shape = t.shape;
    if (const auto o = s.shapes.find(t.name); o != s.shapes.end()) {
      shape = o->second;
    } else if (!t.shape_known) {
      fail<UsageError>("input '{}': the model does not declare its shape; give --shape {}:AxBx...",
                       t.name, t.name);
    }
    if (shape.empty())
      fail<UsageError>("input '{}' is 0-d: it has no batch dimension to fill", t.name);
    shape.front() = s.generate_count;
    for (std::size_t d = 1; d < shape.size(); ++d)
      if (shape[d] <= 0)
        fail<UsageError>(
            "input '{}' has a dynamic dimension {} (declared {}); give --shape {}:AxBx...", t.name,
            d, shape_str(t.shape), t.name);
    const DType dtype = t.dtype.value_or(s.integer ? DType::i64 : DType::f32);
    const bool integral = !is_floating(dtype);
    auto [lo, hi] = dtype == DType::boolean ? std::pair{0.0, 2.0}
                    : integral              ? std::pair{0.0, 10.0}
                                            : std::pair{s.low, s.high};
    if (const auto r = s.ranges.find(t.name); r != s.ranges.end()) std::tie(lo, hi) = r->second;
    if (!(hi > lo)) fail<UsageError>("--range {}: [{}, {}) is empty", t.name, lo, hi);
    check_fits(shape, t.name);
    Tensor x(shape);
    std::mt19937_64 rng(s.seed + 1000003ULL * k);  // each input its own stream
    std::uniform_real_distribution<double> u(lo, hi);
    for (auto& v : x.data) v = static_cast<float>(integral ? std::floor(u(rng)) : u(rng));
    out.push_back(cast_exact(from_tensor(t.name, x), dtype));
  }
  return out;
}

}  // namespace convbench
