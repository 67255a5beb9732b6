// proxyctl's command line: commands, their operands, options anywhere, usage errors.
#include <doctest/doctest.h>

#include "app/proxyctl_args.hpp"

using namespace pgfront::proxyctl;
using namespace std::chrono_literals;
using Kind = ParsedArguments::Kind;

namespace {
ParsedArguments parse(std::vector<std::string> args, Environment env = {}) { return parse_arguments(args, env); }

// The usage error's message, or "" when the line parsed.
std::string error_of(std::vector<std::string> args) {
    const auto parsed = parse(std::move(args));
    return parsed.kind == Kind::usage_error ? parsed.error : "";
}
}  // namespace

TEST_CASE("args: read commands and defaults") {
    const auto parsed = parse({"status"});
    REQUIRE(parsed.kind == Kind::run);
    CHECK(parsed.invocation.command == Command::status);
    CHECK(parsed.invocation.admin.host == "127.0.0.1");
    CHECK(parsed.invocation.admin.port == 7000);
    CHECK(parsed.invocation.token.empty());
    CHECK_FALSE(parsed.invocation.json);
    for (const char* name : {"status", "nodes", "pools", "clients", "servers", "vip", "reload"}) {
        const auto p = parse({name});
        REQUIRE(p.kind == Kind::run);
        CHECK(to_string(p.invocation.command) == name);
    }
}

TEST_CASE("args: options anywhere, both spellings") {
    const auto parsed = parse({"drain", "--json", "node2", "--admin", "http://10.1.2.3:7100", "--wait",
                               "--timeout=30s", "--token", "s3cret"});
    REQUIRE(parsed.kind == Kind::run);
    const auto& inv = parsed.invocation;
    CHECK(inv.command == Command::drain);
    CHECK(inv.node == "node2");
    CHECK(inv.json);
    CHECK(inv.wait);
    CHECK(inv.timeout == 30s);
    CHECK(inv.admin.host == "10.1.2.3");
    CHECK(inv.admin.port == 7100);
    CHECK(inv.token == "s3cret");

    const auto eq = parse({"--admin=127.0.0.1:7001", "--token=", "nodes"});
    REQUIRE(eq.kind == Kind::run);
    CHECK(eq.invocation.admin.port == 7001);
    CHECK(eq.invocation.token.empty());
}

TEST_CASE("args: the environment gives defaults, options override them") {
    const Environment env{"http://127.0.0.1:7555", "from-env"};
    const auto parsed = parse({"status"}, env);
    REQUIRE(parsed.kind == Kind::run);
    CHECK(parsed.invocation.admin.port == 7555);
    CHECK(parsed.invocation.token == "from-env");
    const auto overridden = parse({"status", "--admin", "127.0.0.1:7666", "--token", "flag"}, env);
    REQUIRE(overridden.kind == Kind::run);
    CHECK(overridden.invocation.admin.port == 7666);
    CHECK(overridden.invocation.token == "flag");
    CHECK(parse({"status"}, Environment{"ftp://x", ""}).kind == Kind::usage_error);
}

TEST_CASE("args: drain, undrain, pause, resume, kill-client operands") {
    auto drain = parse({"drain", "node1"});
    REQUIRE(drain.kind == Kind::run);
    CHECK_FALSE(drain.invocation.wait);
    CHECK(drain.invocation.timeout == 5min);
    CHECK(parse({"drain", "node1", "--wait"}).invocation.timeout == 5min);
    CHECK(parse({"undrain", "node3"}).invocation.node == "node3");

    auto pause_all = parse({"pause"});
    REQUIRE(pause_all.kind == Kind::run);
    CHECK_FALSE(pause_all.invocation.database);
    CHECK(pause_all.invocation.timeout == 60s);
    auto pause_db = parse({"pause", "appdb", "--timeout", "500ms"});
    REQUIRE(pause_db.kind == Kind::run);
    CHECK(pause_db.invocation.database == "appdb");
    CHECK(pause_db.invocation.timeout == 500ms);
    CHECK(parse({"pause", "--timeout", "0"}).invocation.timeout == 0ms);
    CHECK(parse({"resume", "appdb"}).invocation.database == "appdb");
    CHECK_FALSE(parse({"resume"}).invocation.database);

    auto kill = parse({"kill-client", "42"});
    REQUIRE(kill.kind == Kind::run);
    CHECK(kill.invocation.client_id == 42);
    CHECK(parse({"kill-client", "18446744073709551615"}).invocation.client_id == 18446744073709551615ULL);
}

TEST_CASE("args: `--` ends the options, so a node may be named like one") {
    const auto parsed = parse({"drain", "--", "--odd-node"});
    REQUIRE(parsed.kind == Kind::run);
    CHECK(parsed.invocation.node == "--odd-node");
}

TEST_CASE("args: help and version win over everything else") {
    CHECK(parse({"--help"}).kind == Kind::help);
    CHECK(parse({"drain", "-h"}).kind == Kind::help);
    CHECK(parse({"bogus", "--help"}).kind == Kind::help);
    CHECK(parse({"--version"}).kind == Kind::version);
}

TEST_CASE("args: usage errors say what is wrong") {
    CHECK(error_of({}) == "no command given");
    CHECK(error_of({"--json"}) == "no command given");
    CHECK(error_of({"frobnicate"}) == "unknown command 'frobnicate'");
    CHECK(error_of({"status", "--verbose"}) == "unknown option '--verbose'");
    CHECK(error_of({"status", "extra"}).find("takes no arguments") != std::string::npos);
    CHECK(error_of({"drain"}) == "drain needs exactly one NODE");
    CHECK(error_of({"drain", "a", "b"}) == "drain needs exactly one NODE");
    CHECK(error_of({"undrain"}) == "undrain needs exactly one NODE");
    CHECK(error_of({"pause", "a", "b"}) == "pause takes at most one DATABASE");
    CHECK(error_of({"resume", "a", "b"}) == "resume takes at most one DATABASE");
    CHECK(error_of({"kill-client"}).find("needs exactly one client ID") != std::string::npos);
    for (const char* id : {"abc", "0", "-1", "12x", "1.5", "99999999999999999999"}) {
        CAPTURE(id);
        CHECK(error_of({"kill-client", "--", id}).find("is not a client ID") != std::string::npos);
    }
    CHECK(error_of({"status", "--admin"}) == "--admin needs a value");
    CHECK(error_of({"pause", "--timeout"}) == "--timeout needs a value");
    CHECK(error_of({"pause", "--timeout", "5"}).find("is not a duration") != std::string::npos);
    CHECK(error_of({"pause", "--timeout", "soon"}).find("is not a duration") != std::string::npos);
    CHECK(error_of({"status", "--wait"}) == "--wait applies only to drain");
    CHECK(error_of({"drain", "n", "--timeout", "5s"}) == "drain: --timeout applies only with --wait");
    CHECK(error_of({"nodes", "--timeout", "5s"}) == "--timeout applies only to drain --wait and pause");
    CHECK(error_of({"status", "--json=yes"}) == "--json takes no value");
}

TEST_CASE("admin URLs") {
    std::string error;
    auto url = parse_admin_url("http://127.0.0.1:7000", error);
    REQUIRE(url);
    CHECK(url->host == "127.0.0.1");
    CHECK(url->port == 7000);
    CHECK(url->to_string() == "http://127.0.0.1:7000");

    url = parse_admin_url("localhost", error);
    REQUIRE(url);
    CHECK(url->host == "localhost");
    CHECK(url->port == 7000);

    url = parse_admin_url("http://db1.example:7100/", error);
    REQUIRE(url);
    CHECK(url->host == "db1.example");
    CHECK(url->port == 7100);

    url = parse_admin_url("http://[::1]:7200", error);
    REQUIRE(url);
    CHECK(url->host == "::1");
    CHECK(url->port == 7200);
    CHECK(url->to_string() == "http://[::1]:7200");

    for (const char* bad : {"https://127.0.0.1:7000", "ftp://h", "", "http://", "http://:7000", "h:", "h:0",
                            "h:65536", "h:70x", "http://h:7000/status", "http://[::1", "http://[::1]x",
                            "http://user@h:7000"}) {
        CAPTURE(bad);
        error.clear();
        CHECK_FALSE(parse_admin_url(bad, error));
        CHECK_FALSE(error.empty());
    }
}
