// proxyctl: the operator's command line for a running pgfront, over its admin HTTP API.
// Exit codes: 0 ok, 1 the action failed, 2 usage error, 3 pgfront could not be reached.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "app/proxyctl_args.hpp"
#include "app/proxyctl_commands.hpp"
#include "app/version.hpp"

namespace {

constexpr const char* usage_text =
    "Usage: proxyctl [--admin URL] [--token T] [--json] COMMAND [ARGS]\n"
    "\n"
    "Look at:\n"
    "  status              version, uptime, config hash, primary and replicas, sessions, pauses\n"
    "  nodes               every node: role, state, health, lag, drain, clients and servers on it\n"
    "  pools               per role, node, database and user: clients, servers, traffic\n"
    "  clients             every client session (ID for kill-client)\n"
    "  servers             every server connection\n"
    "  vip                 the VRRP speaker and virtual IP\n"
    "Act:\n"
    "  drain NODE [--wait] [--timeout 5m]\n"
    "                      no new sessions or transactions go to NODE; --wait polls until nothing\n"
    "                      uses it (exit 1 at the timeout, naming what still does)\n"
    "  undrain NODE        NODE takes new work again\n"
    "  pause [DB] [--timeout 60s]\n"
    "                      new transactions (of DB, or all) wait; returns when running ones ended\n"
    "                      or at the timeout (the pause stays in force either way)\n"
    "  resume [DB]         let them go on\n"
    "  reload              re-read the configuration file (as SIGHUP); prints every error\n"
    "  kill-client ID      close one client session\n"
    "\n"
    "Options (anywhere on the line):\n"
    "  --admin URL   pgfront's admin API (default $PGFRONT_ADMIN or http://127.0.0.1:7000)\n"
    "  --token T     bearer token for actions when admin.token is set (default $PGFRONT_TOKEN)\n"
    "  --json        print the API's JSON instead of text\n"
    "  --timeout D   for drain --wait and pause: 500ms, 30s, 5m, 1h, 1m30s\n"
    "  --version     print proxyctl's version\n"
    "  -h, --help    print this text\n"
    "\n"
    "Exit codes: 0 ok, 1 action failed, 2 usage error, 3 cannot reach pgfront.\n";

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace pgfront::proxyctl;
    const std::vector<std::string> arguments(argv + 1, argv + argc);
    const auto parsed = parse_arguments(arguments, Environment{environment("PGFRONT_ADMIN"), environment("PGFRONT_TOKEN")});
    switch (parsed.kind) {
    case ParsedArguments::Kind::help:
        std::cout << usage_text;
        return exit_ok;
    case ParsedArguments::Kind::version:
        std::cout << "proxyctl " << PGFRONT_VERSION << "\n";
        return exit_ok;
    case ParsedArguments::Kind::usage_error:
        std::cerr << "proxyctl: " << parsed.error << "\n\n" << usage_text;
        return exit_usage;
    case ParsedArguments::Kind::run:
        break;
    }
    try {
        return run_command(parsed.invocation);
    } catch (const std::exception& e) {
        std::cerr << "proxyctl: " << e.what() << "\n";
        return exit_failed;
    }
}
