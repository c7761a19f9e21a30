#pragma once
// The one way to run a model: one model loaded in its runtime worker, then batches through it.
// Owns the worker (spawn, load with its options), batching of every input along the leading axis
// (a short last batch included), the untimed warm-up, per-batch timing measured inside the
// worker, the bytes through the pipe, peak memory, and the per-output checks (each output has one
// row per input row; no NaN/Inf, naming the output and the sample). eval, check, RQ3 and the
// benches all run models through it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.hpp"
#include "core/value.hpp"
#include "runtime/registry.hpp"
#include "runtime/worker_client.hpp"

namespace convbench {

struct SetRun {
  Values outputs;                // every output over all rows, in the model's order
  std::vector<double> batch_s;   // in-worker time of each timed batch
  double inference_s = 0;        // their sum
  double wall_s = 0;             // the same pass seen from outside (incl. the pipe)
  std::uint64_t pipe_bytes = 0;  // request + reply bytes of the timed batches
};

class ModelRunner {
 public:
  // Spawns the `runtime` worker ("onnxruntime", "torch", ...) and loads `model` in it.
  // WorkerError on failure.
  ModelRunner(const std::string& runtime, const std::filesystem::path& model,
              const LoadOptions& load, const WorkerSettings& workers, std::string_view tag);
  // With an explicit worker (tests: the fake worker).
  ModelRunner(WorkerSpec spec, const std::filesystem::path& model, const LoadOptions& load);
  ModelRunner(const ModelRunner&) = delete;
  ModelRunner& operator=(const ModelRunner&) = delete;
  ~ModelRunner();

  const std::string& runtime() const { return runtime_; }  // the worker's name
  const LoadReply& loaded() const { return loaded_; }      // runtime version, load time, signature
  const ModelSignature& signature() const { return loaded_.signature; }
  const std::filesystem::path& model() const { return model_; }

  // One batch as it is (no checks beyond the runtime's): outputs, in-worker time, pipe bytes.
  RunReply run(const Values& feed);
  // Every row of `inputs` in batches of `batch_size`, `warmup` untimed batches first; the
  // outputs are checked (WorkerError naming the output: wrong row count, NaN/Inf).
  SetRun run_set(const Values& inputs, std::int64_t batch_size, int warmup = 0);

  // For a model with one input: `x` as that input, cast to its declared dtype (`fallback` where
  // the format declares none, as TorchScript) by cast_for_model. DataError when a value does not
  // fit (a token id into a narrower integer, an overflow).
  Values feed(const Tensor& x, DType fallback = DType::f32) const;
  // The loss gradient w.r.t. the single float32 input (FGSM; Backend::loss_gradient).
  Tensor loss_gradient(const Tensor& x, std::span<const std::int64_t> labels);
  std::uint64_t peak_rss_bytes();

  // The batch dimension the first input declares: > 0 when fixed, -1 when dynamic or unknown.
  std::int64_t declared_batch() const;
  // The per-sample shape the first input declares, when every dimension is fixed.
  std::optional<Shape> declared_sample_shape() const;

 private:
  std::string runtime_;
  std::filesystem::path model_;
  std::unique_ptr<WorkerClient> client_;
  LoadReply loaded_;
};

// The leading-axis length shared by every value of a feed; DataError naming the ones that differ.
std::int64_t feed_rows(const Values& feed);
// Rows [begin, end) of every value.
Values slice_feed(const Values& feed, std::int64_t begin, std::int64_t end);

}  // namespace convbench
