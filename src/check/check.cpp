#include "check/check.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <exception>

#include "check/onnx_precision.hpp"
#include "check/zoo_tools.hpp"
#include "core/error.hpp"
#include "core/file_io.hpp"
#include "eval/manifest.hpp"
#include "metrics/fidelity.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

bool is_fidelity(const Criterion& c) {
  return c.name.starts_with("elementwise") || c.name == "misclassification" ||
         c.name == "accuracy_drop" || c.name == "input_shape" || c.name == "outputs";
}

struct Reference {
  const LabelledTensor& data;  // one-input sources (dataset, arrays): the inputs as float32
  const Values& feed;          // what the models get, named after the converted model's inputs
  const Values& outputs;       // every output of the original
  std::size_t task = 0;        // which of them holds the class scores (npos: none)
  std::optional<double> accuracy;
  std::uintmax_t size = 0;
  double inference_s = 0;
};

// `feed` for a model of signature `sig`: by name where every input's name is in it, else by
// position (TorchScript's forward() names vs the exporter's); each cast to the dtype the model
// declares (cast_for_model: exact for integers, rounded between floating types).
Values feed_for(const ModelSignature& sig, const Values& feed, const std::string& model) {
  const bool by_name = std::all_of(sig.inputs.begin(), sig.inputs.end(), [&](const TensorInfo& t) {
    return find_value(feed, t.name) != nullptr;
  });
  if (!by_name && sig.inputs.size() != feed.size()) {
    std::string want, have;
    for (const auto& t : sig.inputs) want += (want.empty() ? "" : ", ") + t.name;
    for (const auto& v : feed) have += (have.empty() ? "" : ", ") + v.name;
    fail<UsageError>("{} takes {} inputs ({}); the inputs are {} ({})", model, sig.inputs.size(),
                     want, feed.size(), have);
  }
  Values out;
  for (std::size_t i = 0; i < sig.inputs.size(); ++i) {
    const TensorInfo& t = sig.inputs[i];
    Value v = by_name ? *find_value(feed, t.name) : feed[i];
    v.name = t.name;
    out.push_back(t.dtype ? cast_for_model(std::move(v), *t.dtype) : std::move(v));
  }
  return out;
}

// The class-score output: `name` when given, else the first 2-D floating output (npos: none).
std::size_t task_output(const Values& outputs, const std::string& name) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (!name.empty() ? outputs[i].name == name
                      : outputs[i].shape.size() == 2 && is_floating(outputs[i].dtype))
      return i;
  }
  if (!name.empty()) {
    std::string have;
    for (const auto& o : outputs) have += (have.empty() ? "" : ", ") + o.name;
    fail<UsageError>("--task-output {}: the original has no such output (its outputs: {})", name,
                     have);
  }
  return std::string::npos;
}

// Output pairs (original index, converted index): by name when every name matches, else by
// position when the counts agree. Empty and `why` set when neither works.
std::vector<std::pair<std::size_t, std::size_t>> match_outputs(const Values& o, const Values& c,
                                                               std::string& matched_by,
                                                               std::string& why) {
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < o.size(); ++i)
    for (std::size_t k = 0; k < c.size(); ++k)
      if (o[i].name == c[k].name) pairs.emplace_back(i, k);
  if (pairs.size() == o.size() && o.size() == c.size()) {
    matched_by = "name";
    return pairs;
  }
  pairs.clear();
  if (o.size() != c.size()) {
    why = fmt::format("the original has {} outputs, the converted model {}", o.size(), c.size());
    return pairs;
  }
  matched_by = "position";
  for (std::size_t i = 0; i < o.size(); ++i) pairs.emplace_back(i, i);
  return pairs;
}

double max_magnitude(const Tensor& t) {
  double m = 0;
  for (float x : t.data) m = std::max(m, std::fabs(static_cast<double>(x)));
  return m;
}

// Outputs matched by position that fail, but agree under another order: the converted model
// lists its outputs in a different order (code reading output k would get the wrong tensor).
std::optional<Finding> output_order_rule(const Values& o, const Values& c, const Thresholds& th) {
  if (o.size() < 2 || o.size() != c.size()) return std::nullopt;
  std::vector<std::size_t> perm(o.size());
  std::vector<bool> used(c.size(), false);
  for (std::size_t i = 0; i < o.size(); ++i) {
    bool found = false;
    for (std::size_t k = 0; k < c.size() && !found; ++k) {
      if (used[k] || o[i].shape != c[k].shape) continue;
      if (compare_elementwise(to_f32(o[i]), to_f32(c[k]), th.for_output(c[k].name), 0).passed()) {
        perm[i] = k;
        used[k] = found = true;
      }
    }
    if (!found) return std::nullopt;
  }
  std::vector<std::string> moved;
  for (std::size_t i = 0; i < o.size(); ++i)
    if (perm[i] != i)
      moved.push_back(fmt::format("original output {} '{}' is the converted model's output {} '{}'",
                                  i, o[i].name, perm[i], c[perm[i]].name));
  if (moved.empty()) return std::nullopt;
  return Finding{"output_order",
                 "output order swapped: the converted model gives the same outputs in another "
                 "order",
                 fmt::format("every output agrees within tolerance once reordered: {}",
                             fmt::join(moved, "; ")),
                 true};
}

// The same samples run as one batch and as batches of 2, and the one batch again: a model in
// training mode (BatchNorm on batch statistics, dropout on) answers differently. The evidence, or
// nullopt when its outputs do not depend on the batch composition.
std::optional<std::string> batch_composition_evidence(LoadedModel& m, const Values& feed,
                                                      const Thresholds& th,
                                                      const std::string& model) {
  const std::int64_t k = std::min<std::int64_t>(feed_rows(feed), 8);
  if (k < 4) return std::nullopt;
  const Values x = feed_for(m.loaded().signature, slice_feed(feed, 0, k), model);
  const SetRun whole = m.runner().run_set(x, k, 0);
  const SetRun pairs = m.runner().run_set(x, 2, 0);
  const SetRun again = m.runner().run_set(x, k, 0);
  for (std::size_t i = 0; i < whole.outputs.size(); ++i) {
    const Tensor a = to_f32(whole.outputs[i]);
    const auto tol = th.for_output(whole.outputs[i].name);
    const auto by_pairs = compare_elementwise(a, to_f32(pairs.outputs[i]), tol, 0);
    const auto rerun = compare_elementwise(a, to_f32(again.outputs[i]), tol, 0);
    if (by_pairs.passed() && rerun.passed()) continue;
    return fmt::format(
        "the same {} samples give other outputs ('{}') as one batch of {} and as batches of 2 "
        "(max abs {:.3g}){}",
        k, whole.outputs[i].name, k, by_pairs.max_abs,
        rerun.passed() ? ""
                       : fmt::format(", and even when the same batch is run again (max abs "
                                     "{:.3g}: random, e.g. dropout)",
                                     rerun.max_abs));
  }
  return std::nullopt;
}

// Training mode: which model's outputs depend on the batch composition. The converted model alone
// is left to the batch-size rule where that applies (`converted_rule_elsewhere`): a batch baked in
// at export looks the same from outside.
std::optional<Finding> training_mode_rule(LoadedModel& converted, const Values& feed,
                                          const CheckOptions& opt, bool converted_rule_elsewhere) {
  std::optional<std::string> orig, conv;
  try {
    LoadedModel o(opt.original, opt.workers, "original-batches");
    orig = batch_composition_evidence(o, feed, opt.thresholds, opt.original.path.string());
    conv = batch_composition_evidence(converted, feed, opt.thresholds, opt.converted.path.string());
  } catch (const Error& e) {  // e.g. a model fixed to one batch size: the rule cannot tell
    spdlog::info("diagnosis: batch-composition rule not applicable: {}", e.what());
    return std::nullopt;
  }
  if (orig)
    return Finding{"training_mode",
                   conv ? "both models behave as in training mode: their outputs depend on the "
                          "batch composition (BatchNorm on batch statistics or dropout on)"
                        : "the original behaves as in training mode (BatchNorm on batch "
                          "statistics or dropout on), the converted model does not: trace or "
                          "export the original after model.eval()",
                   "original: " + *orig + (conv ? "; converted: " + *conv : ""), true};
  if (conv && !converted_rule_elsewhere)
    return Finding{"training_mode",
                   "the converted model's outputs depend on the batch composition, the "
                   "original's do not (exported in training mode, or a batch size baked in)",
                   "converted: " + *conv, true};
  return std::nullopt;
}

std::string elementwise_detail(const ElementwiseResult& e, std::int64_t rows) {
  return fmt::format(
      "{} of {} elements ({} of {} samples) exceed both atol={:g} and rtol={:g}; "
      "max abs {:.3g}, max rel {:.3g}; would pass with atol>={:.3g} (at rtol={:g}) "
      "or rtol>={:.3g} (at atol={:g})",
      e.failed_elements, e.elements, e.failed_samples, rows, e.tolerance.atol, e.tolerance.rtol,
      e.max_abs, e.max_rel, e.min_passing_atol, e.tolerance.rtol, e.min_passing_rtol,
      e.tolerance.atol);
}

void judge(CandidateReport& c, const Reference& ref, const SetRun& run, const CheckOptions& opt) {
  const auto& th = opt.thresholds;
  c.inference_s = run.inference_s;
  std::string why;
  const auto pairs = match_outputs(ref.outputs, run.outputs, c.outputs_matched_by, why);
  if (pairs.empty()) {
    c.criteria.push_back({"outputs", false, static_cast<double>(run.outputs.size()),
                          static_cast<double>(ref.outputs.size()), why});
    return;
  }
  std::optional<std::size_t> task_pair;
  for (const auto& [i, k] : pairs) {
    const Value& o = ref.outputs[i];
    const Value& v = run.outputs[k];
    OutputComparison oc{o.name, v.name, {}};
    if (o.shape != v.shape) {
      c.criteria.push_back({pairs.size() == 1 ? "elementwise" : "elementwise:" + o.name, false, 1,
                            0,
                            fmt::format("output shapes differ: original {} {} vs converted {} {}",
                                        o.name, shape_str(o.shape), v.name, shape_str(v.shape))});
      c.outputs.push_back(std::move(oc));
      continue;
    }
    // Compared as float32 (exact for float16, float32 and integers below 2^24; docs/check.md).
    Tensor ot = to_f32(o), vt = to_f32(v);
    const Tolerance tol = th.for_output(v.name);
    // Vacuous tolerance: outputs far below atol pass any conversion (|c - o| <= |c| + |o| < atol
    // for all but wild errors). Both are then compared on the original's own scale.
    const double scale = max_magnitude(ot);
    std::string vacuous;
    if (scale < tol.atol / 10 && ot.size() > 0) {
      const double by = scale > 0 ? scale : std::max(max_magnitude(vt), 1e-300);
      for (auto* t : {&ot, &vt})
        for (auto& x : t->data) x = static_cast<float>(x / by);
      oc.vacuous_scale = by;
      vacuous = fmt::format(
          "vacuous tolerance: the original's outputs are at most {:.3g} in magnitude, far below "
          "atol={:g}, which therefore cannot fail; compared relative to that scale (both divided "
          "by {:.3g}): ",
          scale, tol.atol, by);
    }
    // An original that answers every input alike cannot tell a broken conversion from a good one
    // (an untrained deep network whose activations have collapsed, a softmax of constant logits).
    if (ot.rows() >= 2) {
      const auto first = ot.row(0);
      bool same = true;
      for (std::int64_t r = 1; r < ot.rows() && same; ++r)
        same = std::equal(first.begin(), first.end(), ot.row(r).begin());
      if (same)
        c.warnings.push_back(fmt::format(
            "the original's output '{}' is the same for all {} samples: this check cannot tell a "
            "broken conversion from a faithful one (use other inputs, or the trained model)",
            o.name, ot.rows()));
    }
    oc.elementwise = compare_elementwise(ot, vt, tol, opt.worst_k);
    const auto& e = oc.elementwise;
    c.criteria.push_back(
        {pairs.size() == 1 ? "elementwise" : "elementwise:" + o.name, e.passed(),
         e.elements ? static_cast<double>(e.failed_elements) / static_cast<double>(e.elements) : 0,
         0,
         (pairs.size() == 1 ? "" : fmt::format("{} vs {}: ", o.name, v.name)) + vacuous +
             elementwise_detail(e, v.rows())});
    if (i == ref.task) {
      task_pair = c.outputs.size();
      c.elementwise = e;
    }
    c.outputs.push_back(std::move(oc));
  }
  if (!task_pair) return;  // no class-score output: the elementwise rule alone judges
  const Tensor o = to_f32(ref.outputs[ref.task]);
  const Tensor v = to_f32(run.outputs[pairs[*task_pair].second]);
  const Fidelity f = compare_outputs(o, v);
  c.misclassification = f.misclassification;
  c.criteria.push_back(
      {"misclassification", f.misclassification <= th.max_misclassification, f.misclassification,
       th.max_misclassification,
       fmt::format("{} of {} samples change their argmax", f.disagreements, v.rows())});
  if (!ref.data.labels.empty()) {
    c.accuracy = accuracy(v, ref.data.labels);
    const double drop = *ref.accuracy - *c.accuracy;
    if (th.max_accuracy_drop)
      c.criteria.push_back({"accuracy_drop", drop <= *th.max_accuracy_drop, drop,
                            *th.max_accuracy_drop,
                            fmt::format("accuracy {:.4f} -> {:.4f}", *ref.accuracy, *c.accuracy)});
  }
}

void judge_cost(CandidateReport& c, const Reference& ref, const CheckOptions& opt) {
  const auto& th = opt.thresholds;
  if (th.max_latency_ratio && ref.inference_s > 0) {
    const double ratio = c.inference_s / ref.inference_s;
    c.criteria.push_back({"latency_ratio", ratio <= *th.max_latency_ratio, ratio,
                          *th.max_latency_ratio,
                          fmt::format("{:.3f} s vs {:.3f} s over the whole set (in-worker)",
                                      c.inference_s, ref.inference_s)});
  }
  if (th.max_size_ratio && ref.size > 0) {
    const double ratio = static_cast<double>(c.size_bytes) / static_cast<double>(ref.size);
    c.criteria.push_back({"size_ratio", ratio <= *th.max_size_ratio, ratio, *th.max_size_ratio,
                          fmt::format("{} vs {} bytes on disk", c.size_bytes, ref.size)});
  }
}

bool fidelity_failed(const CandidateReport& c) {
  return std::any_of(c.criteria.begin(), c.criteria.end(),
                     [](const Criterion& k) { return is_fidelity(k) && !k.passed; });
}

// The converted model's declared input shape, when it is fixed and differs from the data's.
std::optional<Shape> shape_mismatch(const LoadedModel& m, const Tensor& inputs) {
  auto declared = m.declared_sample_shape();
  const Shape sample(inputs.shape.begin() + 1, inputs.shape.end());
  if (declared && *declared != sample) return declared;
  return std::nullopt;
}

CandidateReport evaluate_converted(LoadedModel& m, const ModelRef& model, const Reference& ref,
                                   const CheckOptions& opt, bool with_diagnosis) {
  CandidateReport c;
  c.label = "converted";
  c.model = model;
  c.size_bytes = disk_size(model.path);
  c.runtime = m.loaded().runtime;
  if (model.format == "onnx") c.precision = read_onnx_precision(model.path).describe();
  // The rules that re-run the model with changed inputs or outputs need one of each.
  const bool single = ref.feed.size() == 1 && ref.outputs.size() == 1 && ref.data.inputs.rows() > 0;
  if (single) {
    if (auto declared = shape_mismatch(m, ref.data.inputs)) {
      const Shape sample(ref.data.inputs.shape.begin() + 1, ref.data.inputs.shape.end());
      c.criteria.push_back({"input_shape", false, 0, 0,
                            fmt::format("the converted model takes samples of shape {}, the "
                                        "original's inputs are {}",
                                        shape_str(*declared), shape_str(sample))});
      if (with_diagnosis)
        c.findings = diagnose_input_shape(m, ref.data.inputs, to_f32(ref.outputs.front()),
                                          *declared, opt.thresholds, opt.batch_size);
      return c;
    }
  }
  // A batch dimension fixed at export (no dynamic axis): judged at that batch size, and a
  // failed criterion of its own, since the original takes any batch.
  std::int64_t batch = opt.batch_size;
  std::optional<Finding> fixed_batch;
  const std::int64_t rows = feed_rows(ref.feed);
  if (const auto b = m.declared_batch(); b > 0 && b != opt.batch_size) {
    batch = b;
    fixed_batch = Finding{
        "dynamic_axis",
        fmt::format("dynamic-axis problem: the converted model's batch "
                    "dimension is fixed to {} (exported without a dynamic "
                    "axis)",
                    b),
        fmt::format("its declared input shape is {}; the check ran it at "
                    "batch {} instead of {}",
                    shape_str(m.loaded().signature.inputs.front().shape), b, opt.batch_size),
        true};
    if (rows % b != 0)
      fail<UsageError>(
          "the converted model takes batches of exactly {}; {} samples do not "
          "divide into them",
          b, rows);
  }
  const SetRun run = m.runner().run_set(
      feed_for(m.loaded().signature, ref.feed, model.path.string()), batch, opt.warmup_batches);
  judge(c, ref, run, opt);
  judge_cost(c, ref, opt);
  if (fixed_batch) {
    c.criteria.push_back({"dynamic_batch", false, static_cast<double>(batch),
                          static_cast<double>(opt.batch_size), fixed_batch->cause});
    if (with_diagnosis) c.findings.push_back(*fixed_batch);
  }
  if (!with_diagnosis || !fidelity_failed(c)) return c;
  if (c.outputs_matched_by == "position")
    if (auto f = output_order_rule(ref.outputs, run.outputs, opt.thresholds)) {
      c.findings.push_back(*f);
      return c;
    }
  if (opt.diagnose && !fixed_batch)
    if (auto f = training_mode_rule(m, ref.feed, opt, single && run.outputs.size() == 1)) {
      c.findings.push_back(*f);
      return c;
    }
  if (!single || run.outputs.size() != 1) {
    c.findings.push_back({"diagnosis",
                          "the diagnosis rules and localisation need a model with "
                          "one input and one output",
                          fmt::format("the original takes {} inputs and gives {} outputs",
                                      ref.feed.size(), ref.outputs.size()),
                          false});
    return c;
  }
  const Tensor ref_out = to_f32(ref.outputs.front());
  const Tensor run_out = to_f32(run.outputs.front());
  if (opt.diagnose) {
    spdlog::info("check failed: diagnosing");
    auto more = diagnose({ref.data.inputs, ref_out, run_out, m, model, opt.thresholds,
                          c.elementwise, c.misclassification, batch, opt.workers, opt.work_dir});
    c.findings.insert(c.findings.end(), more.begin(), more.end());
  }
  if (opt.localise && model.format == "onnx" && opt.original.format != "onnx") {
    spdlog::info("localising the first diverging layer");
    const Tensor samples =
        ref.data.inputs.slice_rows(0, std::min<std::int64_t>(8, ref.data.inputs.rows()));
    c.localisation =
        localise({opt.original, model, samples, opt.thresholds.for_output(run.outputs.front().name),
                  opt.work_dir / "localise", ref.feed.front().dtype});
  }
  return c;
}

}  // namespace

bool CandidateReport::passed() const {
  return error.empty() &&
         std::all_of(criteria.begin(), criteria.end(), [](const Criterion& c) { return c.passed; });
}

void models_from_manifest(const fs::path& dir, const std::string& conversion, CheckOptions& o) {
  const Manifest m = read_manifest(dir);
  const auto find = [&](const std::string& role) -> const Artefact& {
    for (const auto& a : m.artefacts)
      if (a.role == role) return a;
    fail<UsageError>("{}: the manifest has no '{}' artefact", dir.string(), role);
  };
  const Artefact& orig = find("original");
  const Artefact& conv = find(conversion);
  if (conv.status != "ok")
    fail<UsageError>("{}: the {} conversion failed: {}", dir.string(), conversion, conv.error);
  o.original = {orig.path, orig.format, ""};
  o.converted = {conv.path, conv.format};
  for (auto* ref : {&o.original, &o.converted})
    if (!fs::exists(ref->path)) fail<UsageError>("{}: artefact missing", ref->path.string());
  // The model's own dataset and layout, unless the inputs come from elsewhere.
  if (o.inputs.dataset.empty() && o.inputs.files.empty() && o.inputs.generate_shape.empty() &&
      !o.inputs.data_dir.empty())
    o.inputs.dataset = m.dataset;
  if (o.inputs.dataset == m.dataset) {
    o.inputs.layout = m.layout;
    if (const auto& in = m.raw.at("input"); in.contains("vocab_file")) {
      o.inputs.vocab_file = m.dir / in.at("vocab_file").get<std::string>();
      o.inputs.seq_len = in.value("seq_len", std::int64_t{0});
    }
  }
}

// A work directory of our own (none given): removed when the check completes; kept when it ends
// in an error, because the error message may point at worker logs inside it.
class ScratchDir {
 public:
  explicit ScratchDir(fs::path p) : path_(std::move(p)) {}
  ~ScratchDir() {
    if (!path_.empty() && std::uncaught_exceptions() == 0) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

 private:
  fs::path path_;
};

CheckReport run_check(const CheckOptions& optin) {
  const auto t0 = std::chrono::steady_clock::now();
  CheckOptions opt = optin;
  const bool own_work_dir = opt.work_dir.empty();
  if (own_work_dir)
    opt.work_dir = fs::temp_directory_path() / fmt::format("convbench-check-{}", getpid());
  const ScratchDir scratch(own_work_dir ? opt.work_dir : fs::path());
  fs::create_directories(opt.work_dir);
  if (!opt.workers.log_dir) opt.workers.log_dir = opt.work_dir / "logs";
  fs::create_directories(*opt.workers.log_dir);
  for (const auto& v : opt.variants)
    if (v != "fp16" && v != "int8") fail<UsageError>("unknown variant '{}' (fp16, int8)", v);
  if (!opt.variants.empty() && opt.converted.format != "onnx")
    fail<UsageError>("--variants needs an ONNX converted model, not {}", opt.converted.format);
  // Fail fast on a missing model, before decoding any data.
  for (const auto* ref : {&opt.original, &opt.converted}) {
    if (!fs::exists(ref->path)) fail<UsageError>("{}: no such model", ref->path.string());
    runtimes_for_format(ref->format);
  }

  CheckReport rep;
  rep.original = opt.original;
  rep.thresholds = opt.thresholds;
  rep.batch_size = opt.batch_size;
  rep.threads = effective_threads(opt.workers.threads);
  rep.inputs = describe(opt.inputs);
  // Where a format declares no input dtype (TorchScript): the dataset's, or int64 for generated
  // integers (token ids).
  const DType input_dtype = !opt.inputs.dataset.empty() ? dataset_input_dtype(opt.inputs.dataset)
                            : opt.inputs.integer        ? DType::i64
                                                        : DType::f32;
  // The converted model is loaded first: its signature names (and, generated, shapes) the inputs.
  LoadedModel conv(opt.converted, opt.workers, "converted", input_dtype);
  // A tolerance for an output the model does not have is a typo that would loosen nothing.
  if (const auto& sig = conv.loaded().signature; sig.outputs_known)
    for (const auto& [name, _] : opt.thresholds.per_output)
      if (std::none_of(sig.outputs.begin(), sig.outputs.end(),
                       [&](const TensorInfo& t) { return t.name == name; })) {
        std::string have;
        for (const auto& t : sig.outputs) have += (have.empty() ? "" : ", ") + t.name;
        fail<UsageError>("{}: [output.{}]: {} has no output '{}' (its outputs: {})",
                         opt.thresholds.source, name, opt.converted.path.string(), name, have);
      }
  check_one_source(opt.inputs);
  LabelledTensor data;
  Values feed;
  if (!opt.inputs.files.empty()) {
    // The user's named arrays, dtypes kept; matched to the converted model's inputs by name.
    UserInputs u = read_user_inputs(opt.inputs.files);
    feed = match_inputs(u, conv.loaded().signature.inputs, opt.converted.path.string());
    data.labels = std::move(u.labels);
    if (opt.inputs.limit > 0 && feed_rows(feed) > opt.inputs.limit) {
      feed = slice_feed(feed, 0, opt.inputs.limit);
      if (!data.labels.empty()) data.labels.resize(static_cast<std::size_t>(opt.inputs.limit));
    }
    // One floating input: the diagnosis rules (layout, scaling, ...) can work on it.
    if (feed.size() == 1 && is_floating(feed.front().dtype)) data.inputs = to_f32(feed.front());
    rep.samples = feed_rows(feed);
  } else if (opt.inputs.generate_auto) {
    // Every declared input, from the model's own signature (the converted's, else the original's).
    const auto& sig = conv.loaded().signature;
    const bool declared =
        !sig.inputs.empty() && std::all_of(sig.inputs.begin(), sig.inputs.end(),
                                           [](const TensorInfo& t) { return t.shape_known; });
    if (declared) {
      feed = generate_feed(sig.inputs, opt.inputs);
    } else {
      LoadedModel o(opt.original, opt.workers, "original-signature", input_dtype);
      feed = generate_feed(o.loaded().signature.inputs, opt.inputs);
    }
    rep.samples = feed_rows(feed);
  } else {
    data = load_check_inputs(opt.inputs);
    rep.samples = data.inputs.rows();
    const auto& in = conv.loaded().signature.inputs;
    if (in.size() > 1)
      fail<UsageError>(
          "{} takes {} inputs; {} gives one array: use --generate auto (inputs from the model's "
          "signature)",
          opt.converted.path.string(), in.size(), rep.inputs);
    feed = conv.runner().feed(data.inputs, input_dtype);
  }
  // A NaN in the inputs would come back as the models' NaN outputs: name it where it is.
  for (const auto& v : feed)
    if (const auto bad = first_non_finite_row(v))
      fail<DataError>("{}: input '{}' holds NaN/Inf (first at sample {})", rep.inputs, v.name,
                      *bad);
  rep.sample_shape.assign(feed.front().shape.begin() + 1, feed.front().shape.end());
  for (const auto& v : feed) rep.feed.push_back(describe(v));
  rep.labelled = !data.labels.empty();
  spdlog::info("check: {} samples ({}) from {}", rep.samples, fmt::join(rep.feed, "; "),
               rep.inputs);

  SetRun orig;
  {
    LoadedModel m(opt.original, opt.workers, "original", input_dtype);
    rep.original_runtime = m.loaded().runtime;
    orig = m.runner().run_set(feed_for(m.loaded().signature, feed, opt.original.path.string()),
                              opt.batch_size, opt.warmup_batches);
  }
  const std::size_t task = task_output(orig.outputs, opt.task_output);
  if (task != std::string::npos) rep.task_output = orig.outputs[task].name;
  rep.original_size_bytes = disk_size(opt.original.path);
  rep.original_inference_s = orig.inference_s;
  if (rep.labelled && task != std::string::npos)
    rep.original_accuracy = accuracy(to_f32(orig.outputs[task]), data.labels);
  const Reference ref{data,
                      feed,
                      orig.outputs,
                      task,
                      rep.original_accuracy,
                      rep.original_size_bytes,
                      orig.inference_s};

  rep.candidates.push_back(evaluate_converted(conv, opt.converted, ref, opt, true));

  if (!opt.variants.empty()) {
    const fs::path vdir = opt.work_dir / "variants";
    std::string kinds;
    for (const auto& v : opt.variants) kinds += (kinds.empty() ? "" : ",") + v;
    spdlog::info("making {} variants of {}", kinds, opt.converted.path.string());
    run_onnx_tools({"variants", "--onnx", opt.converted.path.string(), "--out", vdir.string(),
                    "--kinds", kinds},
                   opt.work_dir / "logs" / "variants.log");
    for (const auto& v : opt.variants) {
      const ModelRef vm{vdir / fmt::format("model.{}.onnx", v), "onnx"};
      CandidateReport c;
      try {
        LoadedModel m(vm, opt.workers, v + "-variant", input_dtype);
        c = evaluate_converted(m, vm, ref, opt, false);
      } catch (const Error& e) {  // a variant that cannot run is a result, not a crash
        c.model = vm;
        c.error = e.what();
      }
      c.label = v + " variant";
      rep.candidates.push_back(std::move(c));
    }
  }
  rep.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

}  // namespace convbench
