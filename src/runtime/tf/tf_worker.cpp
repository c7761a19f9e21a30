// TensorFlow worker: runs a SavedModel signature (serving_default unless another is chosen)
// through TensorFlow's C API (the tensorflow-cpu wheel's libtensorflow_cc.so.2), with every input
// and output the signature declares, named by their argument names, in name order. The graph
// tensor names, dtypes and shapes come from the SavedModel's own MetaGraphDef (signatures.hpp).
#include <tensorflow/c/c_api.h>

#include <cstring>
#include <memory>
#include <optional>

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
  const auto colon = name.rfind(':');
  const std::string op = name.substr(0, colon);
  int index = 0;
  if (colon != std::string::npos) {
    const std::string idx = name.substr(colon + 1);
    if (idx.empty() || idx.size() > 6 || idx.find_first_not_of("0123456789") != std::string::npos)
      fail("{}: bad tensor name '{}' in the signature", model.string(), name);
    index = std::stoi(idx);
  }
  TF_Operation* o = TF_GraphOperationByName(g, op.c_str());
  if (o == nullptr) fail("{}: no operation '{}' in the serving graph", model.string(), op);
  return {o, index};
}

// TensorFlow's DataType enum (= TF_DataType) <-> ours; string, bfloat16, resource, variant,
// complex ... are not carried.
constexpr std::pair<DType, TF_DataType> kTypeRows[] = {
    {DType::f32, TF_FLOAT},  {DType::f16, TF_HALF},   {DType::f64, TF_DOUBLE},
    {DType::i64, TF_INT64},  {DType::i32, TF_INT32},  {DType::i16, TF_INT16},
    {DType::i8, TF_INT8},    {DType::u8, TF_UINT8},   {DType::u16, TF_UINT16},
    {DType::u32, TF_UINT32}, {DType::u64, TF_UINT64}, {DType::boolean, TF_BOOL}};
constexpr DTypeMap<TF_DataType> kTypes{kTypeRows};

std::optional<DType> from_tf(int t) { return kTypes.ours(static_cast<TF_DataType>(t)); }
TF_DataType to_tf(DType t) { return *kTypes.theirs(t); }  // every DType has a TF type

TensorPtr to_tf_tensor(const Value& v) {
  TensorPtr t(TF_AllocateTensor(to_tf(v.dtype), v.shape.data(), static_cast<int>(v.shape.size()),
                                v.bytes.size()));
  if (!v.bytes.empty()) std::memcpy(TF_TensorData(t.get()), v.bytes.data(), v.bytes.size());
  return t;
}

Value from_tf_tensor(const std::string& name, TF_Tensor* t) {
  const auto dt = from_tf(TF_TensorType(t));
  if (!dt)
    throw UnsupportedError(
        fmt::format("output '{}' has TensorFlow dtype {}, which convbench does not carry", name,
                    static_cast<int>(TF_TensorType(t))));
  Shape shape;
  for (int i = 0; i < TF_NumDims(t); ++i) shape.push_back(TF_Dim(t, i));
  Value v(name, *dt, std::move(shape));
  if (TF_TensorByteSize(t) != v.bytes.size())
    fail("output '{}': {} bytes for {}", name, TF_TensorByteSize(t), describe(v));
  if (!v.bytes.empty()) std::memcpy(v.bytes.data(), TF_TensorData(t), v.bytes.size());
  return v;
}

// ConfigProto with intra_op_parallelism_threads (field 2) and inter_op (field 5) as varints.
std::string thread_config(int threads) {
  const auto t = static_cast<char>(threads);
  return std::string{0x10, t, 0x28, t};
}

class TfBackend final : public Backend {
 public:
  std::string runtime() const override { return std::string("tensorflow ") + TF_Version(); }

  ModelSignature load(const std::filesystem::path& model, const LoadOptions& opt) override {
    StatusPtr st(TF_NewStatus());
    std::unique_ptr<TF_SessionOptions, OptsDel> so(TF_NewSessionOptions());
    if (opt.threads > 0 && opt.threads < 128) {
      const auto cfg = thread_config(opt.threads);
      TF_SetConfig(so.get(), cfg.data(), cfg.size(), st.get());
      check(st.get(), "setting thread count");
    }
    session_.reset();
    graph_.reset(TF_NewGraph());
    const char* tags[] = {"serve"};
    std::unique_ptr<TF_Buffer, BufferDel> meta(TF_NewBuffer());
    session_.reset(TF_LoadSessionFromSavedModel(so.get(), nullptr, model.c_str(), tags, 1,
                                                graph_.get(), meta.get(), st.get()));
    check(st.get(), "loading SavedModel " + model.string());
    model_ = model;
    const auto sigs = read_signatures({static_cast<const char*>(meta->data), meta->length});
    const std::string key = opt.signature.empty() ? "serving_default" : opt.signature;
    const auto s = sigs.find(key);
    if (s == sigs.end()) {
      std::string have;
      for (const auto& [k, _] : sigs) have += (have.empty() ? "" : ", ") + k;
      fail("{}: no signature '{}' (the SavedModel has: {})", model.string(), key,
           have.empty() ? "none" : have);
    }
    ModelSignature sig;
    inputs_.clear();
    outputs_.clear();
    const auto add = [&](const auto& m, std::vector<Port>& ports, std::vector<TensorInfo>& infos) {
      for (const auto& [arg, t] : m) {
        ports.push_back({arg, find_output(graph_.get(), t.tensor, model), t.dtype});
        infos.push_back({arg, from_tf(t.dtype), t.shape, t.shape_known});
      }
    };
    add(s->second.inputs, inputs_, sig.inputs);
    add(s->second.outputs, outputs_, sig.outputs);
    // The input_gradient signature the zoo exports for image models (FGSM), when present.
    gradient_ = {};
    if (const auto g = sigs.find("input_gradient"); g != sigs.end()) {
      const auto& gi = g->second;
      if (gi.inputs.count("input") && gi.inputs.count("label") && gi.outputs.count("gradient"))
        gradient_ = {find_output(graph_.get(), gi.inputs.at("input").tensor, model),
                     find_output(graph_.get(), gi.inputs.at("label").tensor, model),
                     find_output(graph_.get(), gi.outputs.at("gradient").tensor, model), true};
    }
    sig.details = {{"signature", key}, {"gradient_signature", gradient_.present}};
    return sig;
  }

  Values run(const Values& feed) override {
    std::vector<TensorPtr> owned;
    std::vector<TF_Output> ins, outs;
    std::vector<TF_Tensor*> in_raw;
    for (const auto& p : inputs_) {
      const Value& v = input_named(feed, p.name);
      if (from_tf(p.dtype) != v.dtype)
        throw UnsupportedError(
            fmt::format("input '{}' is {}, the signature declares {}", v.name, dtype_name(v.dtype),
                        from_tf(p.dtype) ? std::string(dtype_name(*from_tf(p.dtype)))
                                         : fmt::format("TensorFlow dtype {}", p.dtype)));
      owned.push_back(to_tf_tensor(v));
      in_raw.push_back(owned.back().get());
      ins.push_back(p.port);
    }
    if (feed.size() != inputs_.size()) {
      std::vector<TensorInfo> declared;
      for (const auto& p : inputs_) declared.push_back({p.name, std::nullopt, {}, false});
      check_feed(feed, declared);
    }
    for (const auto& p : outputs_) outs.push_back(p.port);
    std::vector<TF_Tensor*> out_raw(outs.size(), nullptr);
    StatusPtr st(TF_NewStatus());
    TF_SessionRun(session_.get(), nullptr, ins.data(), in_raw.data(), static_cast<int>(ins.size()),
                  outs.data(), out_raw.data(), static_cast<int>(outs.size()), nullptr, 0, nullptr,
                  st.get());
    std::vector<TensorPtr> results;
    for (auto* t : out_raw) results.emplace_back(t);
    check(st.get(), "running the signature");
    Values out;
    for (std::size_t i = 0; i < results.size(); ++i)
      out.push_back(from_tf_tensor(outputs_[i].name, results[i].get()));
    return out;
  }

  // Runs the SavedModel's input_gradient signature (exported by the zoo for image models).
  Value loss_gradient(const Value& input, std::span<const std::int64_t> labels) override {
    if (!gradient_.present)
      throw UnsupportedError(fmt::format(
          "{}: the SavedModel has no input_gradient signature (the zoo exports one for image "
          "models; a SavedModel exported before it did must be re-exported)",
          model_.string()));
    const TF_Output feeds[] = {gradient_.input, gradient_.label};
    TensorPtr x = to_tf_tensor(input);
    const std::int64_t n = static_cast<std::int64_t>(labels.size());
    TensorPtr y(TF_AllocateTensor(TF_INT64, &n, 1, labels.size() * sizeof(std::int64_t)));
    std::memcpy(TF_TensorData(y.get()), labels.data(), labels.size() * sizeof(std::int64_t));
    StatusPtr st(TF_NewStatus());
    TF_Tensor* in_raw[] = {x.get(), y.get()};
    TF_Tensor* out_raw = nullptr;
    TF_SessionRun(session_.get(), nullptr, feeds, in_raw, 2, &gradient_.output, &out_raw, 1,
                  nullptr, 0, nullptr, st.get());
    TensorPtr out(out_raw);
    check(st.get(), "running the input_gradient signature");
    return from_tf_tensor(input.name, out.get());
  }

 private:
  struct Port {
    std::string name;
    TF_Output port;
    int dtype;
  };
  struct Gradient {
    TF_Output input{}, label{}, output{};
    bool present = false;
  };

  std::filesystem::path model_;
  Gradient gradient_;
  std::vector<Port> inputs_, outputs_;
  std::unique_ptr<TF_Graph, GraphDel> graph_;
  std::unique_ptr<TF_Session, SessionDel> session_;  // declared after graph_: destroyed first
};

}  // namespace
}  // namespace convbench

int main() {
  convbench::TfBackend backend;
  return convbench::serve_worker(backend);
}
