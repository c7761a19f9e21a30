// LibTorch worker: runs TorchScript files. Intra-op threads come from OMP_NUM_THREADS, set by
// the supervisor before this process starts (at::set_num_threads at run time was measured to
// be far slower with Debian's OpenMP build).
#include <ATen/Parallel.h>
#include <torch/script.h>
#include <torch/version.h>

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
    return {{"threads", at::get_num_threads()}};
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
  torch::jit::script::Module module_;
};

}  // namespace
}  // namespace convbench

int main() {
  convbench::TorchBackend backend;
  return convbench::serve_worker(backend);
}
