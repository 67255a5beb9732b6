// proxyctl's command line, parsed without any I/O: which command, on what, with which options.
// Options may stand anywhere on the line ("proxyctl drain node2 --wait --json").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgfront::proxyctl {

enum class Command { status, nodes, pools, clients, servers, vip, drain, undrain, pause, resume, reload, kill_client };

std::string_view to_string(Command command);

// Where the admin API is: "http://host:port", "host:port" or "http://[::1]:7000".
struct AdminUrl {
    std::string host;
    int port = 7000;
    std::string to_string() const;
};

// nullopt (with `error`) for another scheme, a path, a bad port.
std::optional<AdminUrl> parse_admin_url(std::string_view text, std::string& error);

constexpr const char* default_admin_url = "http://127.0.0.1:7000";
constexpr std::chrono::minutes default_drain_timeout{5};
constexpr std::chrono::seconds default_pause_timeout{60};

struct Invocation {
    AdminUrl admin;
    std::string token;  // empty: send none
    bool json = false;
    Command command = Command::status;
    std::string node;                     // drain, undrain
    std::optional<std::string> database;  // pause, resume: one database or all
    std::uint64_t client_id = 0;          // kill-client
    bool wait = false;                    // drain --wait
    std::chrono::milliseconds timeout{0};  // drain --wait, pause
};

// What the command line asks for: run a command, print help or the version, or a usage error.
struct ParsedArguments {
    enum class Kind { run, help, version, usage_error } kind = Kind::usage_error;
    Invocation invocation;
    std::string error;  // for usage_error
};

// The defaults the environment gives ($PGFRONT_ADMIN, $PGFRONT_TOKEN); empty when unset.
struct Environment {
    std::string admin;
    std::string token;
};

// `arguments` without the program name.
ParsedArguments parse_arguments(const std::vector<std::string>& arguments, const Environment& environment);

}  // namespace pgfront::proxyctl
