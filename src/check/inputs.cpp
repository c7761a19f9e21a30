#include "check/inputs.hpp"

#include <fmt/ranges.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
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

std::string read_text(const fs::path& p) {
  const Bytes b = read_file(p);
  return {b.begin(), b.end()};
}

// "dir:sample_000.npy" inside a folder or archive; a file on its own is named once.
std::string where(const std::string& what, const std::string& name) {
  return name == fs::path(what).filename().string() ? what : what + ":" + name;
}

// Parts of one named array (from several files or feeds) along the leading axis.
Value stack(const std::string& what, const std::string& name, std::vector<Value> parts) {
  for (const auto& p : parts)
    if (p.shape.empty()) fail<DataError>("{}: array '{}' is 0-d: it has no samples", what, name);
  try {
    Value v = concat_rows(parts);
    v.name = name;
    return v;
  } catch (const Error& e) {  // DataError included
    fail<DataError>("{}: the parts of array '{}' do not stack along the leading axis: {}", what,
                    name, e.what());
  }
}

// The arrays of one .npz, by name (its entries are <name>.npy).
std::map<std::string, Value> npz_arrays(const fs::path& p) {
  std::map<std::string, Value> out;
  ArchiveReader zip(p);
  while (zip.next()) {
    const std::string entry(zip.entry_path());
    const std::string name = fs::path(entry).stem().string();
    if (fs::path(entry).extension() != ".npy")
      fail<DataError>("{}: entry '{}' is not a .npy array", p.string(), entry);
    if (out.contains(name)) fail<DataError>("{}: array '{}' appears twice", p.string(), name);
    out.emplace(name, parse_npy(zip.read(), where(p.string(), entry), name));
  }
  if (out.empty()) fail<DataError>("{}: holds no arrays", p.string());
  return out;
}

std::string base64_decode(std::string_view text, const std::string& what) {
  std::string clean;
  for (char c : text)
    if (c != '\n' && c != '\r') clean += c;
  if (clean.size() % 4 != 0)
    fail<DataError>("{}: base64 data of a length not a multiple of 4", what);
  std::string out(clean.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) fail<DataError>("{}: not base64 data", what);
  // EVP_DecodeBlock counts the padding's zero bytes too.
  std::size_t pad = 0;
  while (pad < 2 && pad < clean.size() && clean[clean.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

// Polygraphy's --load-inputs / --save-inputs JSON: a list of feeds {name: ndarray}, an ndarray
// being {"array": base64 of its .npy bytes, "polygraphy_class": "ndarray"}.
std::vector<std::map<std::string, Value>> polygraphy_feeds(const fs::path& p) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text(p));
  } catch (const nlohmann::json::exception& e) {
    fail<DataError>("{}: not JSON: {}", p.string(), e.what());
  }
  if (j.is_object()) j = nlohmann::json::array({j});  // one feed saved on its own
  if (!j.is_array() || j.empty())
    fail<DataError>("{}: expected a list of feeds {{name: array}} (Polygraphy's inputs JSON)",
                    p.string());
  std::vector<std::map<std::string, Value>> feeds;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& feed = j[i];
    const std::string at = fmt::format("{} feed {}", p.string(), i);
    if (!feed.is_object() || feed.empty())
      fail<DataError>("{}: a feed must be an object {{name: array}}", at);
    std::map<std::string, Value> arrays;
    for (const auto& [name, a] : feed.items()) {
      const std::string what = at + " '" + name + "'";
      const bool ndarray = a.is_object() && a.contains("array") && a["array"].is_string() &&
                           (a.value("polygraphy_class", "") == "ndarray" ||
                            a.contains("__polygraphy_encoded_ndarray"));
      if (!ndarray)
        fail<DataError>(
            "{}: not an encoded NumPy array (expected {{\"array\": base64, "
            "\"polygraphy_class\": \"ndarray\"}})",
            what);
      arrays.emplace(name,
                     parse_npy(base64_decode(a["array"].get<std::string>(), what), what, name));
    }
    feeds.push_back(std::move(arrays));
  }
  return feeds;
}

// Feeds (files of a folder, Polygraphy's list) -> one array per name; every feed must name the
// same arrays.
std::map<std::string, Value> join_feeds(std::vector<std::map<std::string, Value>> feeds,
                                        const std::string& what) {
  std::map<std::string, std::vector<Value>> parts;
  for (std::size_t i = 0; i < feeds.size(); ++i) {
    if (i > 0 && feeds[i].size() != feeds[0].size())
      fail<DataError>("{}: feed {} has {} arrays, the first has {}", what, i, feeds[i].size(),
                      feeds[0].size());
    for (auto& [name, v] : feeds[i]) {
      if (i > 0 && !feeds[0].contains(name))
        fail<DataError>("{}: feed {} has array '{}' that the first does not", what, i, name);
      parts[name].push_back(std::move(v));
    }
  }
  std::map<std::string, Value> out;
  for (auto& [name, p] : parts) out.emplace(name, stack(what, name, std::move(p)));
  return out;
}

}  // namespace

UserInputs read_user_inputs(const fs::path& p) {
  std::error_code ec;
  if (!fs::exists(p, ec)) fail<UsageError>("{}: no such input file or folder", p.string());
  const std::string what = p.string();
  std::map<std::string, Value> arrays;
  if (fs::is_directory(p, ec)) {
    std::vector<fs::path> npy, npz;
    for (const auto& e : fs::directory_iterator(p)) {
      if (!e.is_regular_file()) continue;
      if (e.path().extension() == ".npy") npy.push_back(e.path());
      if (e.path().extension() == ".npz") npz.push_back(e.path());
    }
    // Name order: sample_000, sample_001, ... keep their order.
    std::sort(npy.begin(), npy.end());
    std::sort(npz.begin(), npz.end());
    if (!npy.empty() && !npz.empty())
      fail<UsageError>("{}: holds both .npy and .npz files; give a folder of one kind", what);
    if (!npz.empty()) {
      std::vector<std::map<std::string, Value>> feeds;
      for (const auto& f : npz) feeds.push_back(npz_arrays(f));
      arrays = join_feeds(std::move(feeds), what);
    } else {
      // A folder of .npy: samples or batches of the one input, stacked; labels.npy / y.npy apart.
      std::vector<Value> parts;
      for (const auto& f : npy) {
        const std::string stem = f.stem().string();
        Value v = parse_npy(read_text(f), f.string(), stem);
        if (is_label_name(stem))
          arrays.emplace(stem, std::move(v));
        else
          parts.push_back(std::move(v));
      }
      if (parts.empty()) fail<DataError>("{}: no input arrays (.npy)", what);
      arrays.emplace("input", stack(what, "input", std::move(parts)));
    }
  } else if (p.extension() == ".npz") {
    arrays = npz_arrays(p);
  } else if (p.extension() == ".json") {
    arrays = join_feeds(polygraphy_feeds(p), what);
  } else {
    const std::string stem = p.stem().string();
    arrays.emplace(stem, parse_npy(read_text(p), what, stem));
  }
  UserInputs out;
  out.source = what;
  for (auto& [name, v] : arrays) {
    if (v.shape.empty()) fail<DataError>("{}: array '{}' is 0-d: it has no samples", what, name);
    if (is_label_name(name)) {
      if (!out.labels.empty()) fail<DataError>("{}: more than one labels array", what);
      if (v.shape.size() != 1)
        fail<DataError>("{}: labels '{}' must be 1-D, not {}", what, name, shape_str(v.shape));
      const Value l = cast_exact(std::move(v), DType::i64);
      const auto r = l.raw<std::int64_t>();
      out.labels.assign(r.begin(), r.end());
    } else {
      out.arrays.push_back(std::move(v));
    }
  }
  if (out.arrays.empty()) fail<DataError>("{}: no input arrays (only labels)", what);
  const std::int64_t rows = out.arrays.front().shape.front();
  for (const auto& v : out.arrays)
    if (v.shape.front() != rows)
      fail<DataError>("{}: array '{}' has {} samples, '{}' has {}", what, v.name, v.shape.front(),
                      out.arrays.front().name, rows);
  if (!out.labels.empty() && static_cast<std::int64_t>(out.labels.size()) != rows)
    fail<DataError>("{}: {} labels for {} samples", what, out.labels.size(), rows);
  return out;
}

Values match_inputs(const UserInputs& u, std::span<const TensorInfo> inputs,
                    const std::string& model) {
  // One input, one array: whatever it is called (x.npy, an .npz's "x" or "input").
  if (inputs.size() == 1 && u.arrays.size() == 1) {
    Value v = u.arrays.front();
    v.name = inputs.front().name;
    return {std::move(v)};
  }
  std::vector<std::string> missing, extra;
  for (const auto& t : inputs)
    if (find_value(u.arrays, t.name) == nullptr) missing.push_back(t.name);
  for (const auto& v : u.arrays)
    if (std::none_of(inputs.begin(), inputs.end(),
                     [&](const TensorInfo& t) { return t.name == v.name; }))
      extra.push_back(v.name);
  if (!missing.empty() || !extra.empty()) {
    std::string want, have;
    for (const auto& t : inputs) want += (want.empty() ? "" : ", ") + t.name;
    for (const auto& v : u.arrays) have += (have.empty() ? "" : ", ") + v.name;
    fail<UsageError>(
        "{}: its arrays ({}) do not match the inputs of {} ({}){}{}: name each array after the "
        "input it feeds (labels: 'labels' or 'y')",
        u.source, have, model, want,
        missing.empty() ? "" : fmt::format("; no array for {}", fmt::join(missing, ", ")),
        extra.empty() ? "" : fmt::format("; no input named {}", fmt::join(extra, ", ")));
  }
  Values out;
  for (const auto& t : inputs) out.push_back(*find_value(u.arrays, t.name));
  return out;
}

namespace {

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

void check_one_source(const InputSpec& s) {
  const int sources =
      !s.dataset.empty() + !s.files.empty() + !s.generate_shape.empty() + s.generate_auto;
  if (sources != 1)
    fail<UsageError>("give exactly one input source: --dataset, --inputs or --generate (got {})",
                     sources);
}

LabelledTensor load_check_inputs(const InputSpec& s) {
  check_one_source(s);
  if (!s.files.empty() || s.generate_auto)
    fail<Error>("load_check_inputs: a dataset or --generate SHAPE, not {}", describe(s));
  LabelledTensor d;
  if (!s.dataset.empty()) {
    TestSetOptions o{s.layout, s.limit, s.vocab_file, s.seq_len};
    d = load_test_set(s.dataset, s.data_dir, o);
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
