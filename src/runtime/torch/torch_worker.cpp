// LibTorch worker: runs TorchScript files. Intra-op threads come from OMP_NUM_THREADS, set by
// the supervisor before this process starts (at::set_num_threads at run time was measured to
// be far slower with Debian's OpenMP build).
#include <ATen/Parallel.h>
#include <torch/script.h>
#include <torch/version.h>

#include <optional>

#include "core/error.hpp"
#include "runtime/worker_main.hpp"

namespace convbench {
namespace {

class TorchBackend final : public Backend {
 public:
  std::string runtime() const override {
    return fmt::format("libtorch {}.{}.{}", TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR,
                       TORCH_VERSION_PATCH);
  }

  nlohmann::json load(const std::filesystem::path& model, const LoadOptions&) override {
    module_ = torch::jit::load(model.string(), torch::kCPU);
    module_.eval();
    // The zoo's deployed model is WithSoftmax(net): its `net` child gives the logits the loss
    // gradient is taken from (a softmax that saturates at 1.0 would give a zero gradient).
    for (const auto& child : module_.named_children())
      if (child.name == "net") logits_ = child.value;
    return {{"threads", at::get_num_threads()}, {"logits_submodule", logits_.has_value()}};
  }

  Tensor loss_gradient(const Tensor& input, std::span<const std::int64_t> labels) override {
    auto x = torch::from_blob(const_cast<float*>(input.data.data()), input.shape, torch::kFloat32)
                 .clone()
                 .set_requires_grad(true);
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
    auto g = x.grad().contiguous();
    const float* p = g.data_ptr<float>();
    return Tensor(input.shape, std::vector<float>(p, p + g.numel()));
  }

  Tensor run(const Tensor& input) override {
    torch::InferenceMode guard;
    // from_blob borrows our buffer; the model reads it and returns a new tensor.
    auto in = torch::from_blob(const_cast<float*>(input.data.data()), input.shape, torch::kFloat32);
    auto out = module_.forward({in});
    if (!out.isTensor()) fail("model returned {}, expected one tensor", out.tagKind());
    auto t = out.toTensor().contiguous().to(torch::kFloat32);
    const float* p = t.data_ptr<float>();
    return Tensor(Shape(t.sizes().begin(), t.sizes().end()), std::vector<float>(p, p + t.numel()));
  }

 private:
  static torch::Tensor forward_tensor(torch::jit::script::Module& m, const torch::Tensor& x) {
    auto out = m.forward({x});
    if (!out.isTensor()) fail("model returned {}, expected one tensor", out.tagKind());
    return out.toTensor();
  }

  torch::jit::script::Module module_;
  std::optional<torch::jit::script::Module> logits_;
};

}  // namespace
}  // namespace convbench

int main() {
  convbench::TorchBackend backend;
  return convbench::serve_worker(backend);
}
