// ONNX Runtime worker: runs .onnx files through ONNX Runtime's C++ API on the CPU provider, with
// any number of named inputs and outputs of any numeric dtype.
#include <onnxruntime_cxx_api.h>

#include <cstring>
#include <memory>

#include "core/error.hpp"
#include "runtime/worker_main.hpp"

namespace convbench {
namespace {

constexpr std::pair<DType, ONNXTensorElementDataType> kTypeRows[] = {
    {DType::f32, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT},
    {DType::f16, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16},
    {DType::f64, ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE},
    {DType::i64, ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64},
    {DType::i32, ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32},
    {DType::i16, ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16},
    {DType::i8, ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8},
    {DType::u8, ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8},
    {DType::u16, ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16},
    {DType::u32, ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32},
    {DType::u64, ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64},
    {DType::boolean, ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL}};
// string, bfloat16, complex, float8, int4 ... are not carried.
constexpr DTypeMap<ONNXTensorElementDataType> kTypes{kTypeRows};

std::optional<DType> to_dtype(ONNXTensorElementDataType t) { return kTypes.ours(t); }
ONNXTensorElementDataType to_onnx(DType t) {
  return kTypes.theirs(t).value_or(ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED);
}

// ONNX element type 16 is bfloat16, 8 string, ...: named in errors by number and word.
std::string onnx_type_name(ONNXTensorElementDataType t) {
  switch (t) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING:
      return "string";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16:
      return "bfloat16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX64:
      return "complex64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX128:
      return "complex128";
    default:
      return fmt::format("ONNX element type {}", static_cast<int>(t));
  }
}

class OrtBackend final : public Backend {
 public:
  std::string runtime() const override { return "onnxruntime " + Ort::GetVersionString(); }

  ModelSignature load(const std::filesystem::path& model, const LoadOptions& opt) override {
    Ort::SessionOptions so;
    if (opt.threads > 0) so.SetIntraOpNumThreads(opt.threads);
    so.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
    session_ = std::make_unique<Ort::Session>(env_, model.c_str(), so);
    ModelSignature sig;
    in_names_.clear();
    out_names_.clear();
    in_types_.clear();
    Ort::AllocatorWithDefaultOptions alloc;
    const auto describe = [&](bool input, std::size_t i) {
      TensorInfo t;
      t.name = (input ? session_->GetInputNameAllocated(i, alloc)
                      : session_->GetOutputNameAllocated(i, alloc))
                   .get();
      const auto info = input ? session_->GetInputTypeInfo(i) : session_->GetOutputTypeInfo(i);
      if (info.GetONNXType() == ONNX_TYPE_TENSOR) {
        const auto ti = info.GetTensorTypeAndShapeInfo();
        t.dtype = to_dtype(ti.GetElementType());
        t.shape = ti.GetShape();
        if (input) in_types_.push_back(ti.GetElementType());
      } else {
        t.shape_known = false;
        if (input) in_types_.push_back(ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED);
      }
      return t;
    };
    for (std::size_t i = 0; i < session_->GetInputCount(); ++i) {
      sig.inputs.push_back(describe(true, i));
      in_names_.push_back(sig.inputs.back().name);
    }
    for (std::size_t i = 0; i < session_->GetOutputCount(); ++i) {
      sig.outputs.push_back(describe(false, i));
      out_names_.push_back(sig.outputs.back().name);
    }
    sig.details = {{"graph_optimization", "ORT_ENABLE_ALL"}, {"intra_op_threads", opt.threads}};
    return sig;
  }

  Values run(const Values& inputs) override {
    auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    std::vector<Ort::Value> in;
    std::vector<const char*> in_names, out_names;
    for (std::size_t i = 0; i < in_names_.size(); ++i) {
      const Value& v = input_named(inputs, in_names_[i]);
      if (to_onnx(v.dtype) != in_types_[i])
        throw UnsupportedError(
            fmt::format("input '{}' is {}, the model declares {}", v.name, dtype_name(v.dtype),
                        to_dtype(in_types_[i]) ? std::string(dtype_name(*to_dtype(in_types_[i])))
                                               : onnx_type_name(in_types_[i])));
      // ORT only reads the input; the const_cast is the C API's signature, not a write.
      in.push_back(Ort::Value::CreateTensor(mem, const_cast<std::byte*>(v.bytes.data()),
                                            v.bytes.size(), v.shape.data(), v.shape.size(),
                                            in_types_[i]));
      in_names.push_back(in_names_[i].c_str());
    }
    if (inputs.size() != in_names_.size()) check_feed(inputs, declared_inputs());
    for (const auto& n : out_names_) out_names.push_back(n.c_str());
    auto outs = session_->Run(Ort::RunOptions{nullptr}, in_names.data(), in.data(), in.size(),
                              out_names.data(), out_names.size());
    Values result;
    for (std::size_t i = 0; i < outs.size(); ++i) {
      if (!outs[i].IsTensor())
        throw UnsupportedError(
            fmt::format("output '{}' is not a tensor (a sequence or map)", out_names_[i]));
      const auto info = outs[i].GetTensorTypeAndShapeInfo();
      const auto dt = to_dtype(info.GetElementType());
      if (!dt)
        throw UnsupportedError(fmt::format("output '{}' is {}, which convbench does not carry",
                                           out_names_[i], onnx_type_name(info.GetElementType())));
      Value v(out_names_[i], *dt, info.GetShape());
      if (!v.bytes.empty()) std::memcpy(v.bytes.data(), outs[i].GetTensorRawData(), v.bytes.size());
      result.push_back(std::move(v));
    }
    return result;
  }

 private:
  std::vector<TensorInfo> declared_inputs() const {
    std::vector<TensorInfo> d;
    for (const auto& n : in_names_) d.push_back({n, std::nullopt, {}, false});
    return d;
  }

  Ort::Env env_{ORT_LOGGING_LEVEL_WARNING, "convbench"};
  std::unique_ptr<Ort::Session> session_;
  std::vector<std::string> in_names_, out_names_;
  std::vector<ONNXTensorElementDataType> in_types_;
};

}  // namespace
}  // namespace convbench

int main() {
  convbench::OrtBackend backend;
  return convbench::serve_worker(backend);
}
