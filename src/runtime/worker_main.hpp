#pragma once
#include "runtime/backend.hpp"

namespace convbench {

// The worker process's main loop: serves load/run/stats requests on stdin, replies on the
// original stdout (stdout itself is pointed at stderr so that a runtime's prints cannot
// corrupt the protocol). Times the runtime calls; reports peak RSS. Returns the exit code.
int serve_worker(Backend& backend);

}  // namespace convbench
