// proxyctl: the operator's command line for a running pgfront, over its admin HTTP API.
// Exit codes: 0 ok, 1 the action failed, 2 usage error, 3 pgfront could not be reached.
#include <httplib.h>

#include <boost/json.hpp>
#include <boost/json/src.hpp>  // header-only Boost.JSON: Debian 12 ships no compiled library

#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "app/version.hpp"

namespace json = boost::json;

namespace {

constexpr const char* usage_text =
    "Usage: proxyctl [--admin URL] [--token T] [--json] COMMAND\n"
    "\n"
    "Commands:\n"
    "  status   version, uptime, cluster, current primary and replicas, session counts\n"
    "  nodes    every node with its role, state, health and eligibility\n"
    "\n"
    "Options:\n"
    "  --admin URL   pgfront's admin API (default $PGFRONT_ADMIN or http://127.0.0.1:7000)\n"
    "  --token T     bearer token for the admin API (default $PGFRONT_TOKEN)\n"
    "  --json        print the API's JSON instead of a table\n"
    "  --version     print proxyctl's version\n"
    "\n"
    "Exit codes: 0 ok, 1 action failed, 2 usage error, 3 cannot reach pgfront.\n";

struct Options {
    std::string admin = std::getenv("PGFRONT_ADMIN") ? std::getenv("PGFRONT_ADMIN") : "http://127.0.0.1:7000";
    std::string token = std::getenv("PGFRONT_TOKEN") ? std::getenv("PGFRONT_TOKEN") : "";
    bool json_output = false;
    std::vector<std::string> words;
};

std::string text_of(const json::value& v) {
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_null()) return "-";
    if (v.is_bool()) return v.as_bool() ? "yes" : "no";
    return json::serialize(v);
}

void print_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths(headers.size());
    for (std::size_t i = 0; i < headers.size(); ++i) widths[i] = headers[i].size();
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i)
            std::cout << std::left << std::setw(static_cast<int>(widths[i]) + 2) << cells[i];
        std::cout << "\n";
    };
    line(headers);
    for (const auto& row : rows) line(row);
}

int show_status(const json::value& v) {
    const auto& o = v.as_object();
    std::cout << "pgfront " << text_of(o.at("version")) << " (" << text_of(o.at("event_loop")) << "), up "
              << static_cast<long>(o.at("uptime_seconds").to_number<double>()) << " s\n"
              << "cluster:   " << text_of(o.at("cluster")) << "\n"
              << "config:    " << text_of(o.at("config_file")) << " (hash " << text_of(o.at("config_hash")) << ")\n"
              << "mode:      " << text_of(o.at("pool_mode")) << "\n"
              << "primary:   " << text_of(o.at("primary")) << "  (listening on "
              << text_of(o.at("listen").at("primary")) << ")\n"
              << "replicas:  ";
    std::string replicas;
    for (const auto& r : o.at("replicas").as_array()) replicas += (replicas.empty() ? "" : ", ") + text_of(r);
    std::cout << (replicas.empty() ? "none" : replicas) << "  (listening on " << text_of(o.at("listen").at("replica"))
              << ")\n";
    const auto& s = o.at("sessions").as_object();
    std::cout << "sessions:  " << text_of(s.at("active_primary")) << " on primary port, "
              << text_of(s.at("active_replica")) << " on replica port; refused (no node) "
              << text_of(s.at("refused_no_node")) << ", closed by role change " << text_of(s.at("closed_by_role_change"))
              << "\n";
    return 0;
}

int show_nodes(const json::value& v) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& n : v.at("nodes").as_array()) {
        const auto& o = n.as_object();
        std::string serves;
        if (o.at("eligible_primary").as_bool()) serves = "primary";
        else if (o.at("eligible_replica").as_bool()) serves = "replica";
        else serves = "-";
        rows.push_back({text_of(o.at("name")), text_of(o.at("host")) + ":" + text_of(o.at("port")),
                        text_of(o.at("role")), text_of(o.at("state")), o.at("up").as_bool() ? "up" : "down", serves,
                        text_of(o.at("lag_bytes")), text_of(o.at("timeline")),
                        o.at("drained").as_bool() ? "drained" : "", text_of(o.at("last_error"))});
    }
    print_table({"NODE", "ADDRESS", "ROLE", "STATE", "HEALTH", "SERVES", "LAG", "TL", "DRAIN", "LAST ERROR"}, rows);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if ((arg == "--admin" || arg == "--token") && i + 1 < argc) {
            (arg == "--admin" ? options.admin : options.token) = argv[++i];
        } else if (arg == "--json") {
            options.json_output = true;
        } else if (arg == "--version") {
            std::cout << "proxyctl " << PGFRONT_VERSION << "\n";
            return 0;
        } else if (arg == "-h" || arg == "--help") {
            std::cout << usage_text;
            return 0;
        } else if (!arg.empty() && arg[0] == '-') {
            std::cerr << "proxyctl: unknown option '" << arg << "'\n" << usage_text;
            return 2;
        } else {
            options.words.push_back(arg);
        }
    }
    if (options.words.size() != 1 || (options.words[0] != "status" && options.words[0] != "nodes")) {
        std::cerr << usage_text;
        return 2;
    }
    const auto& command = options.words[0];

    httplib::Client client(options.admin);
    client.set_connection_timeout(3, 0);
    client.set_read_timeout(10, 0);
    if (!options.token.empty()) client.set_bearer_token_auth(options.token);
    auto res = client.Get("/" + command);
    if (!res) {
        std::cerr << "proxyctl: cannot reach pgfront at " << options.admin << ": " << httplib::to_string(res.error())
                  << "\n";
        return 3;
    }
    if (res->status != 200) {
        std::cerr << "proxyctl: " << command << " failed: HTTP " << res->status << " " << res->body;
        return 1;
    }
    if (options.json_output) {
        std::cout << res->body;
        return 0;
    }
    boost::system::error_code ec;
    const auto value = json::parse(res->body, ec);
    if (ec || !value.is_object()) {
        std::cerr << "proxyctl: pgfront answered something that is not JSON\n";
        return 1;
    }
    try {
        return command == "status" ? show_status(value) : show_nodes(value);
    } catch (const std::exception& e) {
        std::cerr << "proxyctl: unexpected answer from pgfront: " << e.what() << "\n";
        return 1;
    }
}
