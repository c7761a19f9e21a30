#include "check/diagnose.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "check/zoo_tools.hpp"
#include "core/error.hpp"
#include "core/file_io.hpp"
#include "metrics/fidelity.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

// Samples the re-running rules use: enough to tell agreement from chance, quick to run.
constexpr std::int64_t kProbeSamples = 512;
constexpr std::int64_t kBatchProbeSamples = 16;

struct InputFix {
  std::string name;
  std::function<Tensor(const Tensor&)> apply;
};

std::string perm_name(const Shape& s, const std::vector<std::size_t>& p) {
  const bool channels_first = s.size() == 3 && s[0] <= 4 && s[2] > 4;
  const bool channels_last = s.size() == 3 && s[2] <= 4 && s[0] > 4;
  const std::vector<std::size_t> p120{1, 2, 0}, p201{2, 0, 1}, p021{0, 2, 1}, p102{1, 0, 2};
  if (channels_first && p == p120) return "NCHW->NHWC transpose";
  if (channels_last && p == p201) return "NHWC->NCHW transpose";
  if ((channels_first && p == p021) || (channels_last && p == p102) || (s.size() == 2 && p == p102))
    return "H/W transpose";
  std::string d;
  for (auto i : p) d += std::to_string(i);
  return "sample axes permuted (" + d + ")";
}

// Permutations of the sample axes that give `target` (identity excluded).
std::vector<InputFix> layout_fixes(const Shape& sample, const Shape& target) {
  std::vector<InputFix> out;
  if (sample.size() < 2 || sample.size() > 4) return out;
  std::vector<std::size_t> p(sample.size());
  std::iota(p.begin(), p.end(), 0);
  do {
    if (std::is_sorted(p.begin(), p.end())) continue;
    Shape r;
    for (auto i : p) r.push_back(sample[i]);
    if (r != target) continue;
    out.push_back({perm_name(sample, p), [p](const Tensor& t) { return permute_samples(t, p); }});
  } while (std::next_permutation(p.begin(), p.end()));
  return out;
}

std::vector<InputFix> preprocessing_fixes(const Tensor& x) {
  std::vector<InputFix> out;
  auto map = [](float a, float b) {  // x -> a*x + b
    return [a, b](const Tensor& t) {
      Tensor o = t;
      for (auto& v : o.data) v = a * v + b;
      return o;
    };
  };
  out.push_back(
      {"inputs scaled x*255 (the converted model expects raw 0..255 values)", map(255.F, 0.F)});
  out.push_back(
      {"inputs scaled x/255 (the converted model expects 0..1 values)", map(1.F / 255.F, 0.F)});
  double sum = 0, sq = 0;
  for (float v : x.data) sum += v, sq += static_cast<double>(v) * v;
  const double n = static_cast<double>(std::max<std::size_t>(x.size(), 1));
  const double mean = sum / n, sd = std::sqrt(std::max(sq / n - mean * mean, 1e-12));
  out.push_back({fmt::format("inputs standardised (x - {:.4g}) / {:.4g} (the converted model "
                             "expects mean/std-normalised inputs)",
                             mean, sd),
                 map(static_cast<float>(1 / sd), static_cast<float>(-mean / sd))});
  out.push_back({fmt::format("inputs de-standardised x * {:.4g} + {:.4g} (the converted model "
                             "normalises inside)",
                             sd, mean),
                 map(static_cast<float>(sd), static_cast<float>(mean))});
  const Shape s(x.shape.begin() + 1, x.shape.end());
  if (s.size() == 3 && (s[0] == 3 || s[2] == 3)) {
    const bool first = s[0] == 3;
    // x -> a[c] * x + b[c] per channel c (channels first or last).
    const auto per_channel = [first, s](std::array<float, 3> a, std::array<float, 3> b) {
      return [first, s, a, b](const Tensor& t) {
        Tensor o = t;
        const std::size_t plane = static_cast<std::size_t>(s[1] * s[2]);
        for (std::size_t i = 0; i < o.data.size(); ++i) {
          const std::size_t within = i % t.row_size();
          const std::size_t c = first ? within / plane : within % 3;
          o.data[i] = a[c] * o.data[i] + b[c];
        }
        return o;
      };
    };
    // ImageNet's mean/std (torchvision, Keras Applications' "torch" mode), the most common
    // normalisation to be baked into one model and not the other.
    const std::array<float, 3> mean{0.485F, 0.456F, 0.406F}, sd{0.229F, 0.224F, 0.225F};
    std::array<float, 3> a{}, b{}, ia{}, ib{};
    for (int c = 0; c < 3; ++c) {
      a[c] = 1 / sd[c], b[c] = -mean[c] / sd[c];
      ia[c] = sd[c], ib[c] = mean[c];
    }
    out.push_back(
        {"ImageNet mean/std normalisation missing: the converted model expects "
         "(x - mean) / std inputs (mean 0.485,0.456,0.406, std 0.229,0.224,0.225)",
         per_channel(a, b)});
    out.push_back(
        {"ImageNet mean/std normalisation baked into the converted model: it "
         "normalises inputs that are already normalised (fix: feed x * std + mean, or "
         "remove the normalisation from the graph)",
         per_channel(ia, ib)});
    out.push_back({"channel order reversed (RGB<->BGR)", [first, s](const Tensor& t) {
                     Tensor o = t;
                     const auto per = t.row_size();
                     for (std::int64_t n = 0; n < t.rows(); ++n)
                       for (std::int64_t a = 0; a < s[0]; ++a)
                         for (std::int64_t b = 0; b < s[1]; ++b)
                           for (std::int64_t c = 0; c < s[2]; ++c) {
                             const auto src = static_cast<std::size_t>((a * s[1] + b) * s[2] + c);
                             const auto dst =
                                 static_cast<std::size_t>(first ? ((2 - a) * s[1] + b) * s[2] + c
                                                                : (a * s[1] + b) * s[2] + (2 - c));
                             o.data[static_cast<std::size_t>(n) * per + dst] =
                                 t.data[static_cast<std::size_t>(n) * per + src];
                           }
                     return o;
                   }});
  }
  return out;
}

struct Probe {
  double misclassification = 1;
  double max_abs = 0;
  bool elementwise_ok = false;
};

Probe probe(LoadedModel& m, const Tensor& x, const Tensor& ref, const Tolerance& tol,
            std::int64_t batch) {
  const ScoreRun r = m.run(x, batch);
  Probe p;
  const auto e = compare_elementwise(ref, r.outputs, tol, 0);
  p.misclassification = compare_outputs(ref, r.outputs).misclassification;
  p.max_abs = e.max_abs;
  p.elementwise_ok = e.passed();
  return p;
}

// Tries each fix on the probe set; the one that restores agreement (or the best) as a finding.
// A fix is confirmed only when it restores the labels AND cuts the output error tenfold: argmax
// agreement alone is weak evidence (a ReLU network's argmax survives x*255, for one).
std::optional<Finding> try_fixes(const std::vector<InputFix>& fixes, LoadedModel& m,
                                 const Tensor& x, const Tensor& ref, const Tensor& before_out,
                                 const Thresholds& th, std::int64_t batch, const char* rule) {
  std::optional<Finding> best;
  double best_abs = std::numeric_limits<double>::infinity();
  const double before = compare_outputs(ref, before_out).misclassification;
  const double before_abs = compare_elementwise(ref, before_out, th.tolerance, 0).max_abs;
  for (const auto& f : fixes) {
    Probe p;
    try {
      p = probe(m, f.apply(x), ref, th.tolerance, batch);
    } catch (const Error& e) {  // the fix makes the model fail: not this one
      spdlog::debug("fix '{}' failed: {}", f.name, e.what());
      continue;
    }
    spdlog::info("diagnosis: {} -> {:.1f}% disagreement", f.name, 100 * p.misclassification);
    if (p.max_abs >= best_abs) continue;
    best_abs = p.max_abs;
    Finding fd;
    fd.rule = rule;
    fd.confirmed = p.misclassification <= th.max_misclassification && p.max_abs * 10 <= before_abs;
    fd.cause = fmt::format(
        "{}: {}", fd.confirmed ? "input layout/preprocessing mismatch" : "best candidate input fix",
        f.name);
    fd.evidence = fmt::format(
        "on {} samples, argmax disagreement {:.1f}% -> {:.1f}% with this fix applied to the "
        "converted model's inputs (max abs error {:.3g} -> {:.3g}{})",
        x.rows(), 100 * before, 100 * p.misclassification, before_abs, p.max_abs,
        p.elementwise_ok ? ", within tolerance" : "");
    best = fd;
  }
  return best;
}

std::optional<Finding> activation_rule(const Tensor& o, const Tensor& c, const Tolerance& t) {
  const Tolerance tol{std::max(t.atol, 1e-4), std::max(t.rtol, 1e-3)};
  struct Case {
    const char* cause;
    Tensor a, b;
  };
  const Case cases[] = {
      {"output activation mismatch: the converted model outputs logits where the original "
       "applies softmax (softmax(converted) == original)",
       softmax_rows(c), o},
      {"output activation mismatch: the converted model applies an extra softmax "
       "(converted == softmax(original))",
       c, softmax_rows(o)},
      {"output activation mismatch: the converted model lacks the original's sigmoid "
       "(sigmoid(converted) == original)",
       sigmoid(c), o},
      {"output activation mismatch: the converted model applies an extra sigmoid "
       "(converted == sigmoid(original))",
       c, sigmoid(o)},
  };
  for (const auto& k : cases) {
    const auto e = compare_elementwise(k.b, k.a, tol, 0);
    if (e.passed())
      return Finding{"output_activation", k.cause,
                     fmt::format("after applying it, max abs error {:.3g} over {} elements "
                                 "(atol {:g}, rtol {:g})",
                                 e.max_abs, e.elements, tol.atol, tol.rtol),
                     true};
  }
  return std::nullopt;
}

std::optional<Finding> batch_rule(const DiagnoseInput& in) {
  const std::int64_t n = in.inputs.rows();
  const std::int64_t k = std::min({n, in.batch_size, kBatchProbeSamples});
  if (in.batch_size <= 1 || k < 2) return std::nullopt;
  const Tensor x = in.inputs.slice_rows(0, k), ref = in.original_outputs.slice_rows(0, k);
  const auto at_n =
      compare_elementwise(ref, in.converted_outputs.slice_rows(0, k), in.thresholds.tolerance, 0);
  const ScoreRun one = in.converted.run(x, 1);
  const auto at_1 = compare_elementwise(ref, one.outputs, in.thresholds.tolerance, 0);
  spdlog::info("diagnosis: max abs error at batch 1 {:.3g}, at batch {} {:.3g}", at_1.max_abs,
               in.batch_size, at_n.max_abs);
  if (at_n.passed() || at_1.max_abs * 10 > at_n.max_abs) return std::nullopt;
  return Finding{"dynamic_axis",
                 "dynamic-axis problem: the converted model's outputs depend on the batch size",
                 fmt::format("on the first {} samples: max abs error {:.3g} at batch 1, {:.3g} "
                             "at batch {} ({} vs {} failing elements)",
                             k, at_1.max_abs, at_n.max_abs, in.batch_size, at_1.failed_elements,
                             at_n.failed_elements),
                 at_1.passed()};
}

std::optional<Finding> recurrent_rule(const DiagnoseInput& in, const Tensor& x, const Tensor& ref,
                                      double before) {
  if (in.converted_ref.format != "onnx") return std::nullopt;
  const auto& path = in.converted_ref.path;
  const bool gru = onnx_has_op(path, "GRU");
  const bool lstm = onnx_has_op(path, "LSTM"), rnn = onnx_has_op(path, "RNN");
  if (!gru && !lstm && !rnn) return std::nullopt;
  Finding f{"recurrent", "", "", false};
  if (lstm || rnn) {
    f.cause = fmt::format(
        "recurrent model ({} op): suspect the gate order (ONNX LSTM is i,o,f,c; Keras i,f,c,o; "
        "PyTorch i,f,g,o)",
        lstm ? "LSTM" : "RNN");
    f.evidence =
        fmt::format("the ONNX graph has an {} node and the error is large (max abs {:.3g})",
                    lstm ? "LSTM" : "RNN", in.elementwise.max_abs);
  }
  if (!gru) return f;
  const fs::path flipped = in.work_dir / "diagnose" / "flipped_gru.onnx";
  try {
    run_onnx_tools({"flip-gru", "--onnx", path.string(), "--out", flipped.string()},
                   in.work_dir / "logs" / "flip-gru.log");
    LoadedModel m({flipped, "onnx"}, in.workers, "flipped-gru");
    const Probe p = probe(m, x, ref, in.thresholds.tolerance, in.batch_size);
    f.confirmed = p.misclassification <= in.thresholds.max_misclassification &&
                  p.max_abs * 10 < in.elementwise.max_abs;
    f.cause = f.confirmed ? "GRU linear_before_reset convention mismatch: the converted GRU "
                            "applies the reset gate on the other side of the recurrent "
                            "matrix product than the original"
                          : "recurrent model (GRU op) with large error; flipping "
                            "linear_before_reset does not fix it: suspect the gate order "
                            "(ONNX z,r,h; Keras z,r,h; PyTorch r,z,n)";
    f.evidence = fmt::format(
        "with linear_before_reset flipped, on {} samples: disagreement {:.1f}% -> {:.1f}%, max "
        "abs error {:.3g} -> {:.3g}",
        x.rows(), 100 * before, 100 * p.misclassification, in.elementwise.max_abs, p.max_abs);
  } catch (const Error& e) {
    f.cause =
        "recurrent model (GRU op) with large error: suspect the gate order or the GRU "
        "linear_before_reset convention";
    f.evidence = fmt::format("could not test the other convention: {}", e.what());
  }
  return f;
}

}  // namespace

bool onnx_has_op(const fs::path& onnx, std::string_view op) {
  const Bytes b = read_file(onnx);
  // NodeProto.op_type is field 4, wire type 2: tag 0x22, then a one-byte length.
  std::string needle = "\x22";
  needle += static_cast<char>(op.size());
  needle += op;
  const std::string_view hay(reinterpret_cast<const char*>(b.data()), b.size());
  return hay.find(needle) != std::string_view::npos;
}

std::vector<Finding> diagnose_input_shape(LoadedModel& m, const Tensor& inputs,
                                          const Tensor& original_outputs, const Shape& declared,
                                          const Thresholds& th, std::int64_t batch) {
  const std::int64_t k = std::min(inputs.rows(), kProbeSamples);
  const Tensor x = inputs.slice_rows(0, k), ref = original_outputs.slice_rows(0, k);
  const Shape sample(inputs.shape.begin() + 1, inputs.shape.end());
  // No converted outputs to compare with (the model cannot take these inputs): all wrong.
  const Tensor none(ref.shape);
  std::vector<Finding> out;
  if (auto f =
          try_fixes(layout_fixes(sample, declared), m, x, ref, none, th, batch, "input_layout")) {
    if (f->confirmed)
      f->cause = "input layout mismatch: " + f->cause.substr(f->cause.find(": ") + 2);
    out.push_back(*f);
  } else {
    out.push_back(
        {"input_layout", "input shape mismatch that no axis permutation explains",
         fmt::format("converted takes {}, inputs are {}", shape_str(declared), shape_str(sample)),
         false});
  }
  return out;
}

std::vector<Finding> diagnose(const DiagnoseInput& in) {
  std::vector<Finding> out;
  const std::int64_t k = std::min(in.inputs.rows(), kProbeSamples);
  const Tensor x = in.inputs.slice_rows(0, k), ref = in.original_outputs.slice_rows(0, k);
  const double before =
      compare_outputs(ref, in.converted_outputs.slice_rows(0, k)).misclassification;

  if (auto f = activation_rule(in.original_outputs, in.converted_outputs, in.thresholds.tolerance))
    out.push_back(*f);
  if (out.empty())
    if (auto f = batch_rule(in)) out.push_back(*f);
  // Layout or preprocessing: tried whenever the outputs disagree, not only when labels flip (a
  // normalisation baked in twice can keep most argmaxes).
  if (out.empty() &&
      (in.misclassification > in.thresholds.max_misclassification || !in.elementwise.passed())) {
    const Shape sample(in.inputs.shape.begin() + 1, in.inputs.shape.end());
    auto fixes = layout_fixes(sample, sample);
    auto pre = preprocessing_fixes(x);
    fixes.insert(fixes.end(), pre.begin(), pre.end());
    if (auto f = try_fixes(fixes, in.converted, x, ref, in.converted_outputs.slice_rows(0, k),
                           in.thresholds, in.batch_size, "input_preprocessing")) {
      if (f->confirmed) {
        const bool layout = f->cause.find("transpose") != std::string::npos ||
                            f->cause.find("permuted") != std::string::npos;
        f->rule = layout ? "input_layout" : "input_preprocessing";
        f->cause = (layout ? "input layout mismatch: " : "input preprocessing mismatch: ") +
                   f->cause.substr(f->cause.find(": ") + 2);
        out.push_back(*f);
      } else if (before >= 0.5) {
        f->cause = fmt::format(
            "labels mostly flipped ({:.0f}%); no candidate input fix "
            "restores agreement ({})",
            100 * before, f->cause);
        out.push_back(*f);
      }
    }
  }
  if (std::none_of(out.begin(), out.end(), [](const Finding& f) { return f.confirmed; }))
    if (auto f = recurrent_rule(in, x, ref, before)) out.push_back(*f);
  std::stable_partition(out.begin(), out.end(), [](const Finding& f) { return f.confirmed; });
  return out;
}

}  // namespace convbench
