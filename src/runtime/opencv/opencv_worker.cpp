// OpenCV DNN worker: a second, independent ONNX runtime (OpenCV's own importer and CPU kernels).
// The paper left "compare converted models across runtimes" as future work; this is that column.
// Where OpenCV cannot import or run a model (its ONNX importer lacks ops), the error it raises is
// the result.
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>

#include "core/error.hpp"
#include "runtime/worker_main.hpp"

namespace convbench {
namespace {

class OpenCvBackend final : public Backend {
 public:
  std::string runtime() const override { return "opencv-dnn " CV_VERSION; }

  nlohmann::json load(const std::filesystem::path& model, const LoadOptions& opt) override {
    if (opt.threads > 0) cv::setNumThreads(opt.threads);
    net_ = cv::dnn::readNetFromONNX(model.string());
    if (net_.empty()) fail("{}: OpenCV DNN loaded an empty network", model.string());
    net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return {{"layers", net_.getLayerNames().size()}};
  }

  Tensor run(const Tensor& input) override {
    std::vector<int> dims(input.shape.begin(), input.shape.end());
    // The Mat borrows our buffer; setInput copies it into the network.
    const cv::Mat blob(static_cast<int>(dims.size()), dims.data(), CV_32F,
                       const_cast<float*>(input.data.data()));
    net_.setInput(blob);
    cv::Mat out = net_.forward();
    if (out.type() != CV_32F) fail("output is not float32 (OpenCV type {})", out.type());
    if (!out.isContinuous()) out = out.clone();
    Shape shape;
    for (int i = 0; i < out.dims; ++i) shape.push_back(out.size[i]);
    const auto* p = out.ptr<float>();
    return Tensor(shape, std::vector<float>(p, p + out.total()));
  }

 private:
  cv::dnn::Net net_;
};

}  // namespace
}  // namespace convbench

int main() {
  convbench::OpenCvBackend backend;
  return convbench::serve_worker(
      backend);  // cv::Exception is a std::exception: replied as an error
}
