// Reference run of our Boundary attack: a TorchScript model in the LibTorch worker, the first N
// test images it classifies correctly, one attack over all of them; prints one JSON object
// (success rate, median L2, queries, wall time, throughput). With --dump, writes the attacked
// images and labels as .npy so that foolbox_boundary.py attacks exactly the same inputs.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "attack/boundary.hpp"
#include "attack/oracle.hpp"
#include "core/error.hpp"
#include "core/npy.hpp"
#include "data/model_inputs.hpp"
#include "data/test_set.hpp"
#include "metrics/fidelity.hpp"
#include "runtime/model_runner.hpp"

namespace fs = std::filesystem;
using namespace convbench;

namespace {

struct Args {
  fs::path model, data_dir, dump;
  std::string dataset = "mnist";
  std::int64_t images = 100, scan = 0;
  int threads = 1;
  BoundaryOptions attack;
  float l2_budget = -1;
  int trace_every = 0;
};

double median(std::vector<float> v) {
  if (v.empty()) return NAN;
  std::ranges::sort(v);
  const auto m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

nlohmann::json run(const Args& a) {
  const int threads =
      a.threads > 0 ? a.threads : static_cast<int>(std::thread::hardware_concurrency());
  WorkerSettings ws;
  ws.threads = threads;  // LibTorch reads OMP_NUM_THREADS at start-up (registry)
  LoadOptions lo;
  lo.threads = threads;
  ModelRunner client("torch", a.model, lo, ws, "bench");
  const auto& load = client.loaded();

  // Candidates: the first `scan` test images; keep the first `images` the model gets right.
  const auto scan = a.scan > 0 ? a.scan : a.images * 2 + 100;
  const auto set = load_test_set(a.dataset, a.data_dir, "NCHW", scan);
  std::vector<std::int64_t> keep;
  for (std::int64_t b = 0; b < set.inputs.rows() && std::ssize(keep) < a.images; b += 256) {
    const auto e = std::min(set.inputs.rows(), b + 256);
    const auto pred = argmax_rows(to_f32(client.run(client.feed(set.inputs.slice_rows(b, e))).outputs.front()));
    for (std::int64_t i = b; i < e && std::ssize(keep) < a.images; ++i)
      if (pred[i - b] == set.labels[i]) keep.push_back(i);
  }
  if (std::ssize(keep) < a.images)
    fail<UsageError>("only {} of the first {} test images are classified correctly; raise --scan",
                     keep.size(), scan);
  std::vector<Tensor> rows;
  std::vector<std::int64_t> labels;
  for (auto i : keep) {
    rows.push_back(set.inputs.slice_rows(i, i + 1));
    labels.push_back(set.labels[i]);
  }
  const Tensor inputs = concat_rows(rows);
  const Shape sample(inputs.shape.begin() + 1, inputs.shape.end());
  const auto bounds = image_input_domain(a.dataset, Layout::NCHW, sample);

  double model_s = 0;  // inside the worker, around the runtime call only
  Oracle oracle(
      [&](const Tensor& batch) {
        auto reply = client.run(client.feed(batch));
        model_s += reply.run_s;
        return to_f32(reply.outputs.front());
      },
      {}, 1024);
  auto opt = a.attack;
  opt.l2_budget = a.l2_budget >= 0 ? a.l2_budget : boundary_default_l2_budget(a.dataset);
  const auto t0 = std::chrono::steady_clock::now();
  BoundaryTrace trace;
  if (a.trace_every > 0)
    trace = [&](const BoundaryStepInfo& s) {
      if (s.step == 1 || s.step % a.trace_every == 0)
        std::cerr << fmt::format("step {:6d}  queries {:9d}  median L2 {:.4f}\n", s.step, s.queries,
                                 median({s.l2.begin(), s.l2.end()}));
    };
  const auto r = boundary_attack(oracle, inputs, labels, bounds.lower, bounds.upper, opt, trace);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<float> l2;
  std::int64_t adversarial = 0, skipped = 0, no_start = 0;
  for (const auto& s : r.samples) {
    if (s.adversarial) {
      ++adversarial;
      l2.push_back(s.l2);
    }
    skipped += s.status == BoundaryStatus::already_misclassified;
    no_start += s.status == BoundaryStatus::no_starting_point;
  }
  if (!a.dump.empty()) {
    fs::create_directories(a.dump);
    write_npy(a.dump / "inputs.npy", inputs);
    write_npy(a.dump / "labels.npy", labels);
    write_npy(a.dump / "adversarial.npy", r.adversarial);
  }
  const auto n = static_cast<double>(inputs.rows());
  return {{"implementation", "convbench"},
          {"runtime", load.runtime},
          {"model", a.model.string()},
          {"dataset", a.dataset},
          {"sample_shape", sample},
          {"images", inputs.rows()},
          {"steps", opt.steps},
          {"steps_run", r.steps_run},
          {"seed", opt.seed},
          {"threads", threads},
          {"l2_budget", opt.l2_budget},
          {"max_queries", opt.max_queries},
          {"query_budget_hit", r.query_budget_hit},
          {"already_misclassified", skipped},
          {"no_starting_point", no_start},
          {"adversarial_rate", static_cast<double>(adversarial) / n},
          {"success_rate", static_cast<double>(r.successes()) / n},
          {"median_l2", median(l2)},
          {"queries", r.queries},
          {"wall_s", wall},
          {"model_s", model_s},
          {"queries_per_s", static_cast<double>(r.queries) / wall},
          {"examples_per_min", n / (wall / 60.0)}};
}

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"Boundary attack reference run against a TorchScript model (LibTorch worker)"};
  Args a;
  app.add_option("--model", a.model, "TorchScript file (the zoo's model.pt)")->required();
  app.add_option("--dataset", a.dataset, "mnist or cifar10")
      ->check(CLI::IsMember({"mnist", "cifar10"}));
  app.add_option("--data-dir", a.data_dir, "The dataset's files (as fetched)")->required();
  app.add_option("--images", a.images, "Correctly classified test images to attack")
      ->check(CLI::PositiveNumber);
  app.add_option("--scan", a.scan, "Test images to look through (default 2*images+100)");
  app.add_option("--steps", a.attack.steps, "Boundary attack steps");
  app.add_option("--seed", a.attack.seed, "Attack seed");
  app.add_option("--l2-budget", a.l2_budget, "Success radius (default: the dataset's default)");
  app.add_option("--max-queries", a.attack.max_queries, "Query budget (0 = none)");
  app.add_option("--threads", a.threads,
                 "LibTorch threads, 0 = all cores (default 1: the attack's small batches run far "
                 "faster single-threaded on a busy machine)");
  app.add_option("--dump", a.dump, "Write inputs.npy, labels.npy, adversarial.npy here");
  app.add_option("--trace-every", a.trace_every, "Log the median L2 to stderr every K steps");
  a.attack.steps = 1000;
  CLI11_PARSE(app, argc, argv);
  std::cout << run(a).dump(2) << '\n';
  return 0;
} catch (const std::exception& e) {  // Error (context in the message) or anything unexpected
  std::cerr << "error: " << e.what() << '\n';
  return 2;
}
