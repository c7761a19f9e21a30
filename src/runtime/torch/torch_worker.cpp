// LibTorch worker: runs TorchScript files. Inputs are passed positionally in forward()'s order,
// matched by forward()'s argument names; outputs are flattened from tensors, tuples, lists and
// dicts into named tensors: a single tensor is "out", a tuple/list element "out.0", "out.1", a
// dict entry "out.<key>", nested as "out.0.aux" (docs/design.md). Intra-op threads come from
// OMP_NUM_THREADS, set by the supervisor before this process starts (at::set_num_threads at run
// time was measured to be far slower with Debian's OpenMP build).
#include <ATen/Parallel.h>
#include <torch/script.h>
#include <torch/version.h>

#include <cstring>
#include <optional>

#include "core/error.hpp"
#include "runtime/worker_main.hpp"

namespace convbench {
namespace {

// LibTorch has no uint16/32/64 tensors (in 1.13); its complex, bfloat16 and quantized types are
// not carried.
constexpr std::pair<DType, torch::ScalarType> kTypeRows[] = {
    {DType::f32, torch::kFloat32}, {DType::f16, torch::kFloat16}, {DType::f64, torch::kFloat64},
    {DType::i64, torch::kInt64},   {DType::i32, torch::kInt32},   {DType::i16, torch::kInt16},
    {DType::i8, torch::kInt8},     {DType::u8, torch::kUInt8},    {DType::boolean, torch::kBool}};
constexpr DTypeMap<torch::ScalarType> kTypes{kTypeRows};

torch::ScalarType to_torch(DType t) {
  if (const auto s = kTypes.theirs(t)) return *s;
  throw UnsupportedError(fmt::format("LibTorch has no {} tensors", dtype_name(t)));
}

std::optional<DType> from_torch(torch::ScalarType t) { return kTypes.ours(t); }

Value to_value(const std::string& name, const torch::Tensor& t0) {
  const auto dt = from_torch(t0.scalar_type());
  if (!dt)
    throw UnsupportedError(fmt::format("output '{}' is {}, which convbench does not carry", name,
                                       toString(t0.scalar_type())));
  const auto t = t0.contiguous();
  Value v(name, *dt, Shape(t.sizes().begin(), t.sizes().end()));
  if (!v.bytes.empty()) std::memcpy(v.bytes.data(), t.data_ptr(), v.bytes.size());
  return v;
}

// Flattens a forward() result into named tensors, in the model's order.
void flatten(const c10::IValue& v, const std::string& name, Values& out) {
  if (v.isTensor()) {
    out.push_back(to_value(name, v.toTensor()));
  } else if (v.isTuple()) {
    const auto& el = v.toTupleRef().elements();
    for (std::size_t i = 0; i < el.size(); ++i) flatten(el[i], name + "." + std::to_string(i), out);
  } else if (v.isList()) {
    const auto l = v.toListRef();
    for (std::size_t i = 0; i < l.size(); ++i) flatten(l[i], name + "." + std::to_string(i), out);
  } else if (v.isGenericDict()) {
    for (const auto& e : v.toGenericDict()) {
      const auto& k = e.key();
      const std::string key = k.isString() ? k.toStringRef()
                              : k.isInt()  ? std::to_string(k.toInt())
                                           : "?";
      flatten(e.value(), name + "." + key, out);
    }
  } else if (v.isNone()) {
    // an absent optional output: nothing to compare
  } else {
    throw UnsupportedError(
        fmt::format("output '{}' is a {}, not a tensor, tuple, list or dict", name, v.tagKind()));
  }
}

class TorchBackend final : public Backend {
 public:
  std::string runtime() const override {
    return fmt::format("libtorch {}.{}.{}", TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR,
                       TORCH_VERSION_PATCH);
  }

  ModelSignature load(const std::filesystem::path& model, const LoadOptions&) override {
    module_ = torch::jit::load(model.string(), torch::kCPU);
    module_.eval();
    // The zoo's deployed model is WithSoftmax(net): its `net` child gives the logits the loss
    // gradient is taken from (a softmax that saturates at 1.0 would give a zero gradient).
    logits_.reset();
    for (const auto& child : module_.named_children())
      if (child.name == "net") logits_ = child.value;
    ModelSignature sig;
    args_.clear();
    const auto& schema = module_.get_method("forward").function().getSchema();
    for (std::size_t i = 1; i < schema.arguments().size(); ++i) {  // [0] is self
      const auto& a = schema.arguments()[i];
      args_.push_back({a.name(), a.default_value().has_value()});
      TensorInfo t;
      t.name = a.name();
      t.shape_known = false;  // TorchScript declares neither dtype nor shape
      sig.inputs.push_back(t);
    }
    sig.outputs_known = false;
    sig.details = {{"threads", at::get_num_threads()}, {"logits_submodule", logits_.has_value()}};
    return sig;
  }

  Values run(const Values& inputs) override {
    torch::InferenceMode guard;
    std::vector<c10::IValue> args;
    std::size_t used = 0;
    for (const auto& a : args_) {
      const Value* v = find_value(inputs, a.name);
      if (v == nullptr) {
        if (a.has_default) break;           // the rest take their defaults
        (void)input_named(inputs, a.name);  // throws, naming what was given
      }
      args.emplace_back(borrow(*v));
      ++used;
    }
    if (used != inputs.size()) {
      std::vector<TensorInfo> declared;
      for (const auto& a : args_) declared.push_back({a.name, std::nullopt, {}, false});
      check_feed(inputs, declared);
      fail("inputs after a defaulted argument must not be given alone");
    }
    Values out;
    flatten(module_.forward(args), "out", out);
    return out;
  }

  Value loss_gradient(const Value& input, std::span<const std::int64_t> labels) override {
    if (input.dtype != DType::f32)
      throw UnsupportedError(fmt::format("gradient: input '{}' is {}, not float32", input.name,
                                         dtype_name(input.dtype)));
    auto x = borrow(input).clone().set_requires_grad(true);
    torch::Tensor log_probs;
    if (logits_) {
      log_probs = torch::log_softmax(forward_tensor(*logits_, x), 1);
    } else {  // a model without the zoo's structure: log of its probabilities
      log_probs = torch::log(forward_tensor(module_, x).clamp_min(1e-30));
    }
    auto y = torch::tensor(std::vector<std::int64_t>(labels.begin(), labels.end()), torch::kLong);
    // Summed, not averaged: each row of the gradient is that sample's own gradient.
    auto loss = -log_probs.gather(1, y.unsqueeze(1)).sum();
    loss.backward();
    return to_value(input.name, x.grad());
  }

 private:
  struct Arg {
    std::string name;
    bool has_default = false;
  };

  // from_blob borrows the request's buffer; the model reads it and returns new tensors.
  static torch::Tensor borrow(const Value& v) {
    return torch::from_blob(const_cast<std::byte*>(v.bytes.data()), v.shape,
                            torch::TensorOptions().dtype(to_torch(v.dtype)));
  }

  static torch::Tensor forward_tensor(torch::jit::script::Module& m, const torch::Tensor& x) {
    auto out = m.forward({x});
    if (!out.isTensor())
      fail("gradient: the model returned {}, expected one tensor", out.tagKind());
    return out.toTensor();
  }

  torch::jit::script::Module module_;
  std::optional<torch::jit::script::Module> logits_;
  std::vector<Arg> args_;
};

}  // namespace
}  // namespace convbench

int main() {
  convbench::TorchBackend backend;
  return convbench::serve_worker(backend);
}
