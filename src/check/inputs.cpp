#include "check/inputs.hpp"

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
    std::string where = what;
    where.append(":").append(name);
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
  Shape shape{s.generate_count};
  shape.insert(shape.end(), s.generate_shape.begin(), s.generate_shape.end());
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
  return fmt::format("{} generated samples of shape {} in [{}, {}){} (seed {})", s.generate_count,
                     shape_str(s.generate_shape), s.low, s.high, s.integer ? ", integers" : "",
                     s.seed);
}

LabelledTensor load_check_inputs(const InputSpec& s) {
  const int sources = !s.dataset.empty() + !s.files.empty() + !s.generate_shape.empty();
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

}  // namespace convbench
