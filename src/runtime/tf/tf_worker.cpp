// TensorFlow worker: runs a SavedModel's serving signature through TensorFlow's C API (the
// tensorflow-cpu wheel's libtensorflow_cc.so.2). The signatures' graph tensor names come from the
// zoo's manifest when given, else from the SavedModel's own MetaGraphDef (signatures.hpp).
#include <tensorflow/c/c_api.h>

#include <cstring>
#include <memory>

#include "core/error.hpp"
#include "runtime/tf/signatures.hpp"
#include "runtime/worker_main.hpp"

namespace convbench {
namespace {

// Thin RAII over the C API's handles.
struct StatusDel {
  void operator()(TF_Status* s) const { TF_DeleteStatus(s); }
};
struct GraphDel {
  void operator()(TF_Graph* g) const { TF_DeleteGraph(g); }
};
struct OptsDel {
  void operator()(TF_SessionOptions* o) const { TF_DeleteSessionOptions(o); }
};
struct BufferDel {
  void operator()(TF_Buffer* b) const { TF_DeleteBuffer(b); }
};
struct TensorDel {
  void operator()(TF_Tensor* t) const { TF_DeleteTensor(t); }
};
using StatusPtr = std::unique_ptr<TF_Status, StatusDel>;
using TensorPtr = std::unique_ptr<TF_Tensor, TensorDel>;

struct SessionDel {
  void operator()(TF_Session* s) const {
    StatusPtr st(TF_NewStatus());
    TF_CloseSession(s, st.get());
    TF_DeleteSession(s, st.get());
  }
};

void check(TF_Status* s, std::string_view what) {
  if (TF_GetCode(s) != TF_OK) fail("{}: {}", what, TF_Message(s));
}

// "serving_default_input:0" -> the operation and output index.
TF_Output find_output(TF_Graph* g, const std::string& name, const std::filesystem::path& model) {
  if (name.empty()) fail("{}: the manifest gives no tensor name for the signature", model.string());
  const auto colon = name.rfind(':');
  const std::string op = name.substr(0, colon);
  const int index = colon == std::string::npos ? 0 : std::stoi(name.substr(colon + 1));
  TF_Operation* o = TF_GraphOperationByName(g, op.c_str());
  if (o == nullptr) fail("{}: no operation '{}' in the serving graph", model.string(), op);
  return {o, index};
}

// ConfigProto with intra_op_parallelism_threads (field 2) and inter_op (field 5) as varints.
std::string thread_config(int threads) {
  const auto t = static_cast<char>(threads);
  return std::string{0x10, t, 0x28, t};
}

class TfBackend final : public Backend {
 public:
  std::string runtime() const override { return std::string("tensorflow ") + TF_Version(); }

  nlohmann::json load(const std::filesystem::path& model, const LoadOptions& opt) override {
    StatusPtr st(TF_NewStatus());
    std::unique_ptr<TF_SessionOptions, OptsDel> so(TF_NewSessionOptions());
    if (opt.threads > 0 && opt.threads < 128) {
      const auto cfg = thread_config(opt.threads);
      TF_SetConfig(so.get(), cfg.data(), cfg.size(), st.get());
      check(st.get(), "setting thread count");
    }
    graph_.reset(TF_NewGraph());
    const char* tags[] = {"serve"};
    std::unique_ptr<TF_Buffer, BufferDel> meta(TF_NewBuffer());
    session_.reset(TF_LoadSessionFromSavedModel(so.get(), nullptr, model.c_str(), tags, 1,
                                                graph_.get(), meta.get(), st.get()));
    check(st.get(), "loading SavedModel " + model.string());
    // Names not given: the SavedModel's own serving_default (one input, one output) and, when
    // present, the input_gradient signature the zoo exports for image models.
    LoadOptions names = opt;
    const auto sigs = read_signatures({static_cast<const char*>(meta->data), meta->length});
    const auto only = [&](const std::map<std::string, std::string>& m, const char* what) {
      if (m.size() != 1)
        fail("{}: serving_default has {} {}s; name the one to use", model.string(), m.size(), what);
      return m.begin()->second;
    };
    if (const auto s = sigs.find("serving_default"); s != sigs.end()) {
      if (names.input_name.empty()) names.input_name = only(s->second.inputs, "input");
      if (names.output_name.empty()) names.output_name = only(s->second.outputs, "output");
    }
    if (const auto g = sigs.find("input_gradient");
        g != sigs.end() && names.gradient.output.empty())
      names.gradient = {
          g->second.inputs.count("input") ? g->second.inputs.at("input") : "",
          g->second.inputs.count("label") ? g->second.inputs.at("label") : "",
          g->second.outputs.count("gradient") ? g->second.outputs.at("gradient") : ""};
    input_ = find_output(graph_.get(), names.input_name, model);
    output_ = find_output(graph_.get(), names.output_name, model);
    model_ = model;
    gradient_ = names.gradient;
    return {{"input", names.input_name},
            {"output", names.output_name},
            {"gradient_signature", !names.gradient.output.empty()}};
  }

  Tensor run(const Tensor& input) override {
    TensorPtr in(TF_AllocateTensor(TF_FLOAT, input.shape.data(),
                                   static_cast<int>(input.shape.size()),
                                   input.data.size() * sizeof(float)));
    std::memcpy(TF_TensorData(in.get()), input.data.data(), input.data.size() * sizeof(float));
    StatusPtr st(TF_NewStatus());
    TF_Tensor* in_raw = in.get();
    TF_Tensor* out_raw = nullptr;
    TF_SessionRun(session_.get(), nullptr, &input_, &in_raw, 1, &output_, &out_raw, 1, nullptr, 0,
                  nullptr, st.get());
    TensorPtr out(out_raw);
    check(st.get(), "running the serving signature");
    if (TF_TensorType(out.get()) != TF_FLOAT) fail("output is not float32");
    Shape shape;
    for (int i = 0; i < TF_NumDims(out.get()); ++i) shape.push_back(TF_Dim(out.get(), i));
    const auto* p = static_cast<const float*>(TF_TensorData(out.get()));
    return Tensor(shape, std::vector<float>(p, p + element_count(shape)));
  }

  // Runs the SavedModel's input_gradient signature (exported by the zoo for image models).
  Tensor loss_gradient(const Tensor& input, std::span<const std::int64_t> labels) override {
    if (gradient_.output.empty())
      fail(
          "{}: the SavedModel has no input_gradient signature (the zoo exports one for image "
          "models; a SavedModel exported before it did must be re-exported)",
          model_.string());
    const TF_Output feeds[] = {find_output(graph_.get(), gradient_.input, model_),
                               find_output(graph_.get(), gradient_.label, model_)};
    const TF_Output fetch = find_output(graph_.get(), gradient_.output, model_);
    TensorPtr x(TF_AllocateTensor(TF_FLOAT, input.shape.data(),
                                  static_cast<int>(input.shape.size()),
                                  input.data.size() * sizeof(float)));
    std::memcpy(TF_TensorData(x.get()), input.data.data(), input.data.size() * sizeof(float));
    const std::int64_t n = static_cast<std::int64_t>(labels.size());
    TensorPtr y(TF_AllocateTensor(TF_INT64, &n, 1, labels.size() * sizeof(std::int64_t)));
    std::memcpy(TF_TensorData(y.get()), labels.data(), labels.size() * sizeof(std::int64_t));
    StatusPtr st(TF_NewStatus());
    TF_Tensor* in_raw[] = {x.get(), y.get()};
    TF_Tensor* out_raw = nullptr;
    TF_SessionRun(session_.get(), nullptr, feeds, in_raw, 2, &fetch, &out_raw, 1, nullptr, 0,
                  nullptr, st.get());
    TensorPtr out(out_raw);
    check(st.get(), "running the input_gradient signature");
    if (TF_TensorType(out.get()) != TF_FLOAT) fail("gradient is not float32");
    const auto* p = static_cast<const float*>(TF_TensorData(out.get()));
    return Tensor(input.shape, std::vector<float>(p, p + input.data.size()));
  }

 private:
  std::filesystem::path model_;
  LoadOptions::GradientNames gradient_;
  std::unique_ptr<TF_Graph, GraphDel> graph_;
  std::unique_ptr<TF_Session, SessionDel> session_;  // declared after graph_: destroyed first
  TF_Output input_{}, output_{};
};

}  // namespace
}  // namespace convbench

int main() {
  convbench::TfBackend backend;
  return convbench::serve_worker(backend);
}
