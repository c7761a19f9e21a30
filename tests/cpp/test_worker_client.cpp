// The supervisor against a scripted fake worker: crashes, kills, hangs, NaN and error replies
// all become WorkerErrors that say what happened; the orchestrator survives them.
#include <signal.h>

#include <cmath>
#include <cstdlib>
#include <future>

#include "core/error.hpp"
#include "runtime/model_runner.hpp"
#include "runtime/worker_client.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

WorkerSpec fake(const std::string& mode,
                std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  WorkerSpec s;
  s.name = "fake";
  s.executable = FAKE_WORKER_PATH;
  s.env["CONVBENCH_FAKE_MODE"] = mode;
  // Under -DCONVBENCH_SANITIZE, let the deliberate segfault kill the worker as it would in
  // production instead of being turned into an exit by ASan's handler.
  s.env["ASAN_OPTIONS"] = "handle_segv=0";
  s.timeout = timeout;
  return s;
}

Tensor rows(std::int64_t n) {
  Tensor t({n, 12});
  for (std::size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<float>(i);
  return t;
}
Values batch(std::int64_t n) { return {from_tensor("x", rows(n))}; }

// The failure kind a call ends in (error kinds travel as data, never found in message text).
template <typename F>
WorkerFailure kind_of(F&& f) {
  try {
    f();
  } catch (const WorkerError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no WorkerError thrown";
  return WorkerFailure::protocol;
}

TEST(WorkerClient, LoadRunAndStats) {
  WorkerClient w(fake("echo"));
  const auto l = w.load("/nonexistent/model", {});
  EXPECT_EQ(l.runtime, "fake 0");
  EXPECT_GE(l.load_s, 0);
  ASSERT_EQ(l.signature.inputs.size(), 1U);
  EXPECT_EQ(l.signature.inputs[0].name, "x");
  EXPECT_EQ(l.signature.inputs[0].shape, (Shape{-1, 10}));
  const auto r = w.run(batch(3));
  ASSERT_EQ(r.outputs.size(), 1U);
  EXPECT_EQ(r.outputs[0].name, "out");
  EXPECT_EQ(r.outputs[0].shape, (Shape{3, 10}));
  EXPECT_EQ(to_f32(r.outputs[0]).data[10], 12.0F);  // row 1 starts at input element 12
  EXPECT_GE(r.run_s, 0);
  EXPECT_GT(r.pipe_bytes, 3U * 12 * 4 + 3U * 10 * 4);  // both tensors crossed the pipe
  EXPECT_GT(w.peak_rss_bytes(), 0U);
}

TEST(WorkerClient, ErrorReplyKeepsWorkerUsable) {
  WorkerClient w(fake("load_error"));
  EXPECT_THROW_WITH(w.load("/m/model.onnx", {}), WorkerError, "fake worker failed",
                    "loading /m/model.onnx", "bad magic");
  EXPECT_GT(w.peak_rss_bytes(), 0U);  // still alive and answering
  EXPECT_THROW_WITH(w.run(batch(1)), WorkerError, "run before load");
  EXPECT_EQ(kind_of([&] { w.run(batch(1)); }), WorkerFailure::error_reply);
}

TEST(WorkerClient, UnsupportedIsItsOwnKind) {
  WorkerClient w(fake("unsupported"));
  w.load("m", {});
  EXPECT_EQ(kind_of([&] { w.run(batch(1)); }), WorkerFailure::unsupported);
  EXPECT_THROW_WITH(w.run(batch(1)), WorkerError, "input 'x' is float32");
}

TEST(WorkerClient, KilledMidRunIsReportedWithSignal) {
  WorkerClient w(fake("crash_after:2"));
  w.load("m", {});
  w.run(batch(2));
  w.run(batch(2));
  EXPECT_THROW_WITH(w.run(batch(2)), WorkerError, "fake worker died", "running a batch",
                    "signal 9");
  // Later requests say it is gone rather than hanging.
  EXPECT_THROW_WITH(w.run(batch(1)), WorkerError, "not running");
}

TEST(WorkerClient, SegfaultIsReported) {
  WorkerClient w(fake("segv"));
  w.load("m", {});
  EXPECT_EQ(kind_of([&] { w.run(batch(1)); }), WorkerFailure::died);
}

TEST(WorkerClient, ExitIsReportedWithStatus) {
  WorkerClient w(fake("exit"));
  w.load("m", {});
  EXPECT_THROW_WITH(w.run(batch(1)), WorkerError, "exited with status 7");
}

TEST(WorkerClient, ExternalKillDuringRun) {
  WorkerClient w(fake("hang", std::chrono::seconds(30)));
  w.load("m", {});
  auto killer = std::async(std::launch::async, [pid = w.pid()] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ::kill(pid, SIGKILL);
  });
  EXPECT_THROW_WITH(w.run(batch(1)), WorkerError, "died", "signal 9");
}

TEST(WorkerClient, HangIsKilledAfterTimeout) {
  WorkerClient w(fake("hang", std::chrono::milliseconds(500)));
  w.load("m", {});
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(kind_of([&] { w.run(batch(1)); }), WorkerFailure::hung);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
}

TEST(WorkerClient, NanOutputsArePassedBackForTheCallerToJudge) {
  WorkerClient w(fake("nan"));
  w.load("m", {});
  const auto r = w.run(batch(2));
  EXPECT_TRUE(std::isnan(to_f32(r.outputs[0]).data[10]));
}

TEST(WorkerClient, MissingExecutable) {
  WorkerSpec s = fake("echo");
  s.executable = "/no/such/convbench-worker";
  EXPECT_THROW_WITH(WorkerClient w(s), WorkerError, "/no/such/convbench-worker", "not found");
}

TEST(WorkerClient, StderrLogTailIsQuotedOnCrash) {
  auto log = std::filesystem::temp_directory_path() /
             ("convbench-fake-" + std::to_string(::getpid()) + ".log");
  WorkerSpec s = fake("segv");
  s.stderr_log = log;
  {
    WorkerClient w(s);
    w.load("m", {});
    const std::string name = log.string();
    EXPECT_THROW_WITH(w.run(batch(1)), WorkerError, name.c_str(), "is empty");
  }
  std::filesystem::remove(log);
}

// The one model runner: batching (short last batch), every output concatenated in order, the
// per-output checks naming the output.
TEST(ModelRunner, BatchesEveryOutputIncludingAShortLastBatch) {
  ModelRunner m(fake("two_outputs"), "m", {});
  const SetRun r = m.run_set(batch(7), 3, 1);
  ASSERT_EQ(r.outputs.size(), 2U);
  EXPECT_EQ(r.batch_s.size(), 3U);  // 3 + 3 + 1, warm-up untimed
  EXPECT_EQ(r.outputs[0].name, "out");
  EXPECT_EQ(r.outputs[0].shape, (Shape{7, 10}));
  EXPECT_EQ(to_f32(r.outputs[0]).data[60], 72.0F);  // row 6 starts at input element 72
  EXPECT_EQ(r.outputs[1].name, "count");
  EXPECT_EQ(r.outputs[1].dtype, DType::i64);
  const auto c = r.outputs[1].raw<std::int64_t>();
  EXPECT_EQ(std::vector<std::int64_t>(c.begin(), c.end()),
            (std::vector<std::int64_t>{0, 1, 2, 0, 1, 2, 0}));
}

TEST(ModelRunner, NanIsNamedWithItsOutputAndSample) {
  ModelRunner m(fake("nan"), "m", {});
  EXPECT_THROW_WITH(m.run_set(batch(4), 4), WorkerError, "NaN/Inf", "output 'out'", "sample 2");
}

TEST(ModelRunner, FeedCastsExactlyToTheDeclaredDtype) {
  ModelRunner m(fake("echo"), "m", {});
  const Values f = m.feed(rows(2));
  ASSERT_EQ(f.size(), 1U);
  EXPECT_EQ(f[0].name, "x");
  EXPECT_EQ(f[0].dtype, DType::f32);
  EXPECT_EQ(m.declared_batch(), -1);
}

TEST(ModelRunner, InputsWithDifferentRowCountsAreRefused) {
  ModelRunner m(fake("echo"), "m", {});
  Values two = batch(3);
  two.push_back(from_tensor("y", rows(2)));
  EXPECT_THROW_WITH(m.run_set(two, 2), DataError, "different numbers of rows", "y");
}

}  // namespace
}  // namespace convbench
