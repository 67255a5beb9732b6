// proxyctl's commands: each asks pgfront's admin API over HTTP and prints the answer.
#pragma once

#include "app/proxyctl_args.hpp"

namespace pgfront::proxyctl {

// proxyctl's exit codes.
enum ExitCode : int { exit_ok = 0, exit_failed = 1, exit_usage = 2, exit_unreachable = 3 };

// Runs one parsed command against the admin API; returns the exit code.
int run_command(const Invocation& invocation);

}  // namespace pgfront::proxyctl
