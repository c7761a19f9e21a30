// ONNX Runtime worker: runs .onnx files through ONNX Runtime's C++ API on the CPU provider.
#include <onnxruntime_cxx_api.h>

#include <memory>

#include "core/error.hpp"
#include "runtime/worker_main.hpp"

namespace convbench {
namespace {

nlohmann::json describe(Ort::Session& s, bool inputs) {
  nlohmann::json out = nlohmann::json::array();
  Ort::AllocatorWithDefaultOptions alloc;
  const std::size_t n = inputs ? s.GetInputCount() : s.GetOutputCount();
  for (std::size_t i = 0; i < n; ++i) {
    auto name = inputs ? s.GetInputNameAllocated(i, alloc) : s.GetOutputNameAllocated(i, alloc);
    auto info = inputs ? s.GetInputTypeInfo(i) : s.GetOutputTypeInfo(i);
    out.push_back({{"name", name.get()}, {"shape", info.GetTensorTypeAndShapeInfo().GetShape()}});
  }
  return out;
}

class OrtBackend final : public Backend {
 public:
  std::string runtime() const override { return "onnxruntime " + Ort::GetVersionString(); }

  nlohmann::json load(const std::filesystem::path& model, const LoadOptions& opt) override {
    Ort::SessionOptions so;
    if (opt.threads > 0) so.SetIntraOpNumThreads(opt.threads);
    so.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
    session_ = std::make_unique<Ort::Session>(env_, model.c_str(), so);
    if (session_->GetInputCount() != 1 || session_->GetOutputCount() != 1)
      fail("{}: convbench expects one input and one output, model has {} and {}", model.string(),
           session_->GetInputCount(), session_->GetOutputCount());
    Ort::AllocatorWithDefaultOptions alloc;
    input_name_ = session_->GetInputNameAllocated(0, alloc).get();
    output_name_ = session_->GetOutputNameAllocated(0, alloc).get();
    return {{"inputs", describe(*session_, true)}, {"outputs", describe(*session_, false)}};
  }

  Tensor run(const Tensor& input) override {
    auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    // ORT only reads the input; the const_cast is the C API's signature, not a write.
    Ort::Value in =
        Ort::Value::CreateTensor<float>(mem, const_cast<float*>(input.data.data()),
                                        input.data.size(), input.shape.data(), input.shape.size());
    const char* in_names[] = {input_name_.c_str()};
    const char* out_names[] = {output_name_.c_str()};
    auto outs = session_->Run(Ort::RunOptions{nullptr}, in_names, &in, 1, out_names, 1);
    auto info = outs[0].GetTensorTypeAndShapeInfo();
    if (info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
      fail("output '{}' is not float32 (ONNX element type {})", output_name_,
           static_cast<int>(info.GetElementType()));
    const float* p = outs[0].GetTensorData<float>();
    return Tensor(info.GetShape(), std::vector<float>(p, p + info.GetElementCount()));
  }

 private:
  Ort::Env env_{ORT_LOGGING_LEVEL_WARNING, "convbench"};
  std::unique_ptr<Ort::Session> session_;
  std::string input_name_, output_name_;
};

}  // namespace
}  // namespace convbench

int main() {
  convbench::OrtBackend backend;
  return convbench::serve_worker(backend);
}
