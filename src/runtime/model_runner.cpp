#include "runtime/model_runner.hpp"

#include <algorithm>
#include <chrono>

#include "core/error.hpp"

namespace convbench {

std::int64_t feed_rows(const Values& feed) {
  if (feed.empty()) fail<DataError>("no inputs to run");
  const std::int64_t n = feed.front().rows();
  for (const auto& v : feed)
    if (v.rows() != n)
      fail<DataError>("inputs have different numbers of rows: {} and {}", describe(feed.front()),
                      describe(v));
  return n;
}

Values slice_feed(const Values& feed, std::int64_t begin, std::int64_t end) {
  Values out;
  out.reserve(feed.size());
  for (const auto& v : feed) out.push_back(v.slice_rows(begin, end));
  return out;
}

ModelRunner::ModelRunner(const std::string& runtime, const std::filesystem::path& model,
                         const LoadOptions& load, const WorkerSettings& workers,
                         std::string_view tag)
    : ModelRunner(worker_spec(runtime, workers, tag), model, load) {}

ModelRunner::ModelRunner(WorkerSpec spec, const std::filesystem::path& model,
                         const LoadOptions& load)
    : runtime_(spec.name), model_(model) {
  client_ = std::make_unique<WorkerClient>(std::move(spec));
  loaded_ = client_->load(model, load);
}

ModelRunner::~ModelRunner() = default;

RunReply ModelRunner::run(const Values& feed) { return client_->run(feed); }

SetRun ModelRunner::run_set(const Values& inputs, std::int64_t batch_size, int warmup) {
  using Clock = std::chrono::steady_clock;
  const std::int64_t n = feed_rows(inputs);
  const std::int64_t bs = std::max<std::int64_t>(1, batch_size);
  // Warm-up: the first batches pay for lazy initialisation and allocation; not timed.
  if (n > 0) {
    const Values first = slice_feed(inputs, 0, std::min(bs, n));
    for (int w = 0; w < warmup; ++w) client_->run(first);
  }
  SetRun r;
  std::vector<Values> parts;
  const auto t0 = Clock::now();
  for (std::int64_t b = 0; b < n; b += bs) {
    const std::int64_t e = std::min(b + bs, n);
    auto rep = client_->run(slice_feed(inputs, b, e));
    r.batch_s.push_back(rep.run_s);
    r.inference_s += rep.run_s;
    r.pipe_bytes += rep.pipe_bytes;
    for (const auto& o : rep.outputs)
      if (o.shape.empty() || o.shape.front() != e - b)
        fail<WorkerError>(
            "{}: output '{}' has shape {} for a batch of {} rows ({}); convbench needs one row per "
            "input row",
            runtime_, o.name, shape_str(o.shape), e - b, model_.string());
    if (!parts.empty() && parts.front().size() != rep.outputs.size())
      fail<WorkerError>("{}: the number of outputs changed between batches ({} then {})", runtime_,
                        parts.front().size(), rep.outputs.size());
    parts.push_back(std::move(rep.outputs));
  }
  r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!parts.empty()) {
    for (std::size_t k = 0; k < parts.front().size(); ++k) {
      std::vector<Value> column;
      column.reserve(parts.size());
      for (auto& p : parts) column.push_back(std::move(p[k]));
      try {
        r.outputs.push_back(concat_rows(column));
      } catch (const DataError& e) {
        fail<WorkerError>("{}: output {} differs between batches: {}", runtime_, k, e.what());
      }
    }
  }
  for (const auto& o : r.outputs)
    if (const auto bad = first_non_finite_row(o))
      fail<WorkerError>("{} returned NaN/Inf in output '{}' (first at sample {}) for {}", runtime_,
                        o.name, *bad, model_.string());
  return r;
}

Values ModelRunner::feed(const Tensor& x, DType fallback) const {
  const auto& in = signature().inputs;
  if (in.size() != 1)
    fail<UsageError>("{}: the model takes {} inputs; this needs a model with one input",
                     model_.string(), in.size());
  const DType want = in.front().dtype.value_or(fallback);
  return {cast_for_model(from_tensor(in.front().name, x), want)};
}

Tensor ModelRunner::loss_gradient(const Tensor& x, std::span<const std::int64_t> labels) {
  const auto& in = signature().inputs;
  const std::string name = in.size() == 1 ? in.front().name : "input";
  return to_f32(client_->loss_gradient(from_tensor(name, x), labels));
}

std::uint64_t ModelRunner::peak_rss_bytes() { return client_->peak_rss_bytes(); }

std::int64_t ModelRunner::declared_batch() const {
  const auto& in = signature().inputs;
  if (in.empty() || !in.front().shape_known || in.front().shape.empty()) return -1;
  const auto d = in.front().shape.front();
  return d > 0 ? d : -1;
}

std::optional<Shape> ModelRunner::declared_sample_shape() const {
  const auto& in = signature().inputs;
  if (in.empty() || !in.front().shape_known || in.front().shape.size() < 2) return std::nullopt;
  Shape out(in.front().shape.begin() + 1, in.front().shape.end());
  if (std::any_of(out.begin(), out.end(), [](std::int64_t d) { return d <= 0; }))
    return std::nullopt;
  return out;
}

}  // namespace convbench
