#include "check/check.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <exception>

#include "check/zoo_tools.hpp"
#include "core/error.hpp"
#include "core/file_io.hpp"
#include "eval/manifest.hpp"
#include "metrics/fidelity.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

bool is_fidelity(const Criterion& c) {
  return c.name == "elementwise" || c.name == "misclassification" || c.name == "accuracy_drop" ||
         c.name == "input_shape";
}

std::string output_name(const LoadedModel& m) {
  const auto& out = m.loaded().signature.outputs;
  return out.empty() ? "output" : out.front().name;
}

struct Reference {
  const LabelledTensor& data;
  const Tensor& outputs;
  std::optional<double> accuracy;
  std::uintmax_t size = 0;
  double inference_s = 0;
};

void judge(CandidateReport& c, const Reference& ref, const ScoreRun& run, const CheckOptions& opt,
           const std::string& out_name) {
  const auto& th = opt.thresholds;
  c.inference_s = run.inference_s;
  c.elementwise =
      compare_elementwise(ref.outputs, run.outputs, th.for_output(out_name), opt.worst_k);
  const Fidelity f = compare_outputs(ref.outputs, run.outputs);
  c.misclassification = f.misclassification;
  const auto& e = c.elementwise;
  c.criteria.push_back(
      {"elementwise", e.passed(),
       e.elements ? static_cast<double>(e.failed_elements) / static_cast<double>(e.elements) : 0, 0,
       fmt::format("{} of {} elements ({} of {} samples) exceed both atol={:g} and rtol={:g}; "
                   "max abs {:.3g}, max rel {:.3g}; would pass with atol>={:.3g} (at rtol={:g}) "
                   "or rtol>={:.3g} (at atol={:g})",
                   e.failed_elements, e.elements, e.failed_samples, run.outputs.rows(),
                   e.tolerance.atol, e.tolerance.rtol, e.max_abs, e.max_rel, e.min_passing_atol,
                   e.tolerance.rtol, e.min_passing_rtol, e.tolerance.atol)});
  c.criteria.push_back(
      {"misclassification", f.misclassification <= th.max_misclassification, f.misclassification,
       th.max_misclassification,
       fmt::format("{} of {} samples change their argmax", f.disagreements, run.outputs.rows())});
  if (!ref.data.labels.empty()) {
    c.accuracy = accuracy(run.outputs, ref.data.labels);
    const double drop = *ref.accuracy - *c.accuracy;
    if (th.max_accuracy_drop)
      c.criteria.push_back({"accuracy_drop", drop <= *th.max_accuracy_drop, drop,
                            *th.max_accuracy_drop,
                            fmt::format("accuracy {:.4f} -> {:.4f}", *ref.accuracy, *c.accuracy)});
  }
  if (th.max_latency_ratio && ref.inference_s > 0) {
    const double ratio = run.inference_s / ref.inference_s;
    c.criteria.push_back({"latency_ratio", ratio <= *th.max_latency_ratio, ratio,
                          *th.max_latency_ratio,
                          fmt::format("{:.3f} s vs {:.3f} s over the whole set (in-worker)",
                                      run.inference_s, ref.inference_s)});
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

CandidateReport evaluate_converted(const ModelRef& model, const Reference& ref,
                                   const CheckOptions& opt, bool with_diagnosis) {
  CandidateReport c;
  c.label = "converted";
  c.model = model;
  c.size_bytes = disk_size(model.path);
  LoadedModel m(model, opt.workers, "converted");
  c.runtime = m.loaded().runtime;
  if (auto declared = shape_mismatch(m, ref.data.inputs)) {
    const Shape sample(ref.data.inputs.shape.begin() + 1, ref.data.inputs.shape.end());
    c.criteria.push_back({"input_shape", false, 0, 0,
                          fmt::format("the converted model takes samples of shape {}, the "
                                      "original's inputs are {}",
                                      shape_str(*declared), shape_str(sample))});
    if (with_diagnosis)
      c.findings = diagnose_input_shape(m, ref.data.inputs, ref.outputs, *declared, opt.thresholds,
                                        opt.batch_size);
    return c;
  }
  // A batch dimension fixed at export (no dynamic axis): judged at that batch size, and a
  // failed criterion of its own, since the original takes any batch.
  std::int64_t batch = opt.batch_size;
  std::optional<Finding> fixed_batch;
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
    if (ref.data.inputs.rows() % b != 0)
      fail<UsageError>(
          "the converted model takes batches of exactly {}; {} samples do not "
          "divide into them",
          b, ref.data.inputs.rows());
  }
  const ScoreRun run = m.run(ref.data.inputs, batch, opt.warmup_batches);
  judge(c, ref, run, opt, output_name(m));
  if (fixed_batch) {
    c.criteria.push_back({"dynamic_batch", false, static_cast<double>(batch),
                          static_cast<double>(opt.batch_size), fixed_batch->cause});
    if (with_diagnosis) c.findings.push_back(*fixed_batch);
  }
  if (!with_diagnosis || !fidelity_failed(c)) return c;
  if (opt.diagnose) {
    spdlog::info("check failed: diagnosing");
    auto more = diagnose({ref.data.inputs, ref.outputs, run.outputs, m, model, opt.thresholds,
                          c.elementwise, c.misclassification, batch, opt.workers, opt.work_dir});
    c.findings.insert(c.findings.end(), more.begin(), more.end());
  }
  if (opt.localise && model.format == "onnx" && opt.original.format != "onnx") {
    spdlog::info("localising the first diverging layer");
    const Tensor samples =
        ref.data.inputs.slice_rows(0, std::min<std::int64_t>(8, ref.data.inputs.rows()));
    c.localisation = localise(
        {opt.original, model, opt.model_dir, samples, opt.thresholds.for_output(output_name(m)),
         opt.work_dir / "localise",
         opt.inputs.dataset.empty() ? DType::f32 : dataset_input_dtype(opt.inputs.dataset)});
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
  o.model_dir = dir;
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
  const LabelledTensor data = load_check_inputs(opt.inputs);
  rep.samples = data.inputs.rows();
  rep.sample_shape.assign(data.inputs.shape.begin() + 1, data.inputs.shape.end());
  rep.labelled = !data.labels.empty();
  // Where a format declares no input dtype (TorchScript): the dataset's, or int64 for generated
  // integers (token ids).
  const DType input_dtype = !opt.inputs.dataset.empty() ? dataset_input_dtype(opt.inputs.dataset)
                            : opt.inputs.integer        ? DType::i64
                                                        : DType::f32;
  spdlog::info("check: {} samples of shape {} from {}", rep.samples, shape_str(rep.sample_shape),
               rep.inputs);

  ScoreRun orig;
  {
    LoadedModel m(opt.original, opt.workers, "original", input_dtype);
    rep.original_runtime = m.loaded().runtime;
    orig = m.run(data.inputs, opt.batch_size, opt.warmup_batches);
  }
  rep.original_size_bytes = disk_size(opt.original.path);
  rep.original_inference_s = orig.inference_s;
  if (rep.labelled) rep.original_accuracy = accuracy(orig.outputs, data.labels);
  const Reference ref{data, orig.outputs, rep.original_accuracy, rep.original_size_bytes,
                      orig.inference_s};

  rep.candidates.push_back(evaluate_converted(opt.converted, ref, opt, true));

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
        c = evaluate_converted(vm, ref, opt, false);
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
