// A runtime worker with scripted misbehaviour, to test the supervisor without a real runtime.
// CONVBENCH_FAKE_MODE: echo (default) | crash_after:N | segv | nan | hang | load_error | exit |
// unsupported | two_outputs
// "echo" returns, per sample, the first 10 values of the first input as "out" (float32);
// "two_outputs" adds "count" (int64, the row's index in the batch); "unsupported" refuses to run.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <limits>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "runtime/worker_main.hpp"

namespace {

class FakeBackend final : public convbench::Backend {
 public:
  FakeBackend() {
    const char* m = std::getenv("CONVBENCH_FAKE_MODE");
    mode_ = m != nullptr ? m : "echo";
  }
  std::string runtime() const override { return "fake 0"; }
  convbench::ModelSignature load(const std::filesystem::path& model,
                                 const convbench::LoadOptions&) override {
    if (mode_ == "load_error") convbench::fail("cannot parse {}: bad magic", model.string());
    convbench::ModelSignature s;
    s.inputs.push_back({"x", convbench::DType::f32, {-1, 10}, true});
    s.outputs.push_back({"out", convbench::DType::f32, {-1, 10}, true});
    if (mode_ == "two_outputs") s.outputs.push_back({"count", convbench::DType::i64, {-1}, true});
    s.details = {{"mode", mode_}};
    return s;
  }
  convbench::Values run(const convbench::Values& feed) override {
    if (mode_ == "unsupported")
      throw convbench::UnsupportedError("input 'x' is float32: the fake runtime takes none");
    if (feed.empty()) convbench::fail("no inputs");
    const convbench::Tensor in = convbench::to_f32(feed.front());
    ++runs_;
    if (mode_.starts_with("crash_after:") && runs_ > std::stoi(mode_.substr(12))) ::raise(SIGKILL);
    if (mode_ == "segv") ::raise(SIGSEGV);
    if (mode_ == "exit") std::_Exit(7);
    if (mode_ == "hang") std::this_thread::sleep_for(std::chrono::hours(1));
    convbench::Tensor out({in.rows(), 10});
    for (std::int64_t i = 0; i < in.rows(); ++i)
      for (std::int64_t k = 0; k < 10; ++k)
        out.data[static_cast<std::size_t>(i * 10 + k)] = in.row(i)[static_cast<std::size_t>(k)];
    if (mode_ == "nan") out.data[out.data.size() / 2] = std::numeric_limits<float>::quiet_NaN();
    convbench::Values result{convbench::from_tensor("out", out)};
    if (mode_ == "two_outputs") {
      convbench::Value count("count", convbench::DType::i64, {in.rows()});
      auto c = count.raw_mut<std::int64_t>();
      for (std::size_t i = 0; i < c.size(); ++i) c[i] = static_cast<std::int64_t>(i);
      result.push_back(std::move(count));
    }
    return result;
  }

 private:
  std::string mode_;
  int runs_ = 0;
};

}  // namespace

int main() {
  FakeBackend backend;
  return convbench::serve_worker(backend);
}
