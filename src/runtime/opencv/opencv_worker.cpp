// OpenCV DNN worker: a second, independent ONNX runtime (OpenCV's own importer and CPU kernels).
// The paper left "compare converted models across runtimes" as future work; this is that column.
// Inputs and outputs are the ONNX graph's (read from the file: OpenCV's API does not report
// them); OpenCV computes in float32, so a non-float32 input is refused with its name. Where OpenCV
// cannot import or run a model (its ONNX importer lacks ops), the error it raises is the result.
#include <cstring>
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>

#include "core/error.hpp"
#include "runtime/onnx_signature.hpp"
#include "runtime/worker_main.hpp"

namespace convbench {
namespace {

constexpr std::pair<DType, int> kTypeRows[] = {
    {DType::f32, CV_32F}, {DType::f64, CV_64F}, {DType::i32, CV_32S}, {DType::u8, CV_8U},
    {DType::i8, CV_8S},   {DType::i16, CV_16S}, {DType::u16, CV_16U}, {DType::f16, CV_16F}};
constexpr DTypeMap<int> kTypes{kTypeRows};

std::optional<DType> from_cv(int depth) { return kTypes.ours(depth); }

class OpenCvBackend final : public Backend {
 public:
  std::string runtime() const override { return "opencv-dnn " CV_VERSION; }

  ModelSignature load(const std::filesystem::path& model, const LoadOptions& opt) override {
    if (opt.threads > 0) cv::setNumThreads(opt.threads);
    ModelSignature sig = read_onnx_signature(model);
    net_ = cv::dnn::readNetFromONNX(model.string());
    if (net_.empty()) fail("{}: OpenCV DNN loaded an empty network", model.string());
    net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    inputs_ = sig.inputs;
    outputs_.clear();
    for (const auto& o : sig.outputs) outputs_.push_back(o.name);
    sig.details = {{"layers", net_.getLayerNames().size()}};
    return sig;
  }

  Values run(const Values& feed) override {
    check_feed(feed, inputs_);
    for (const auto& d : inputs_) {
      const Value& v = input_named(feed, d.name);
      if (v.dtype != DType::f32)
        throw UnsupportedError(fmt::format("input '{}' is {}: OpenCV DNN takes float32 inputs only",
                                           v.name, dtype_name(v.dtype)));
      std::vector<int> dims(v.shape.begin(), v.shape.end());
      if (dims.empty()) dims.push_back(1);
      // The Mat borrows our buffer; setInput copies it into the network.
      const cv::Mat blob(static_cast<int>(dims.size()), dims.data(), CV_32F,
                         const_cast<std::byte*>(v.bytes.data()));
      net_.setInput(blob, inputs_.size() == 1 ? "" : d.name);
    }
    std::vector<cv::Mat> outs;
    std::vector<cv::String> names(outputs_.begin(), outputs_.end());
    net_.forward(outs, names);
    Values result;
    for (std::size_t i = 0; i < outs.size(); ++i) {
      cv::Mat m = outs[i].isContinuous() ? outs[i] : outs[i].clone();
      const auto dt = from_cv(m.depth());
      if (!dt)
        throw UnsupportedError(
            fmt::format("output '{}' has OpenCV depth {}", outputs_[i], m.depth()));
      Shape shape;
      for (int k = 0; k < m.dims; ++k) shape.push_back(m.size[k]);
      Value v(outputs_[i], *dt, shape);
      if (v.bytes.size() != m.total() * m.elemSize())
        fail("output '{}': {} bytes for {}", outputs_[i], m.total() * m.elemSize(), describe(v));
      if (!v.bytes.empty()) std::memcpy(v.bytes.data(), m.data, v.bytes.size());
      result.push_back(std::move(v));
    }
    return result;
  }

 private:
  cv::dnn::Net net_;
  std::vector<TensorInfo> inputs_;
  std::vector<std::string> outputs_;
};

}  // namespace
}  // namespace convbench

int main() {
  convbench::OpenCvBackend backend;
  // cv::Exception is a std::exception: replied as an error.
  return convbench::serve_worker(backend);
}
