#include "runtime/worker_main.hpp"

#include <unistd.h>

#include <chrono>
#include <exception>

#include "core/error.hpp"
#include "core/process_stats.hpp"
#include "runtime/protocol.hpp"

namespace convbench {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

protocol::Message handle(Backend& backend, protocol::Message& req, bool& loaded) {
  const std::string op = req.header.value("op", "");
  protocol::Message rep;
  rep.header["ok"] = true;
  if (op == "load") {
    LoadOptions opt;
    opt.threads = req.header.value("threads", 0);
    opt.signature = req.header.value("signature", "");
    const auto t0 = std::chrono::steady_clock::now();
    rep.header["signature"] = to_json(backend.load(req.header.at("path").get<std::string>(), opt));
    rep.header["load_s"] = seconds_since(t0);
    rep.header["runtime"] = backend.runtime();
    loaded = true;
  } else if (op == "run") {
    if (!loaded) fail("run before load");
    const auto t0 = std::chrono::steady_clock::now();
    rep.tensors = backend.run(req.tensors);
    rep.header["run_s"] = seconds_since(t0);
  } else if (op == "gradient") {
    if (!loaded) fail("gradient before load");
    if (req.tensors.size() != 1)
      fail("gradient: one input tensor expected, got {}", req.tensors.size());
    const Value& in = req.tensors.front();
    const auto labels = req.header.at("labels").get<std::vector<std::int64_t>>();
    if (static_cast<std::int64_t>(labels.size()) != in.rows())
      fail("gradient: {} labels for a batch of {}", labels.size(), in.rows());
    Value g = backend.loss_gradient(in, labels);
    if (g.shape != in.shape)
      fail("gradient of shape {} for an input of shape {}", shape_str(g.shape),
           shape_str(in.shape));
    rep.tensors.push_back(std::move(g));
  } else if (op == "stats") {
    rep.header["peak_rss_bytes"] = peak_rss_bytes();
  } else {
    fail("unknown request '{}'", op);
  }
  return rep;
}

}  // namespace

int serve_worker(Backend& backend) {
  const int out_fd = ::dup(STDOUT_FILENO);
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
  bool loaded = false;
  while (true) {
    std::optional<protocol::Message> req;
    try {
      req = protocol::read_message(STDIN_FILENO, std::chrono::milliseconds(-1));
    } catch (const std::exception& e) {
      return 3;  // the supervisor is gone or sent garbage: nothing to reply to
    }
    if (!req || req->header.value("op", "") == "exit") return 0;
    protocol::Message rep;
    try {
      rep = handle(backend, *req, loaded);
    } catch (const std::exception& e) {
      rep = {};
      rep.header["ok"] = false;
      rep.header["kind"] = dynamic_cast<const UnsupportedError*>(&e) ? "unsupported" : "error";
      rep.header["error"] = e.what();
    }
    try {
      protocol::write_message(out_fd, rep);
    } catch (const std::exception&) {
      return 3;
    }
  }
}

}  // namespace convbench
