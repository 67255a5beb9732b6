// proxyctl's commands over the admin API (see proxyctl_commands.hpp and ADMIN_CONTRACT's
// proxyctl section in README.md). Results go to stdout; errors, warnings and, with --json,
// progress go to stderr, so stdout stays the API's JSON.
#include "app/proxyctl_commands.hpp"

#include <httplib.h>

#include <boost/json.hpp>

#include <chrono>
#include <iostream>
#include <thread>

#include "app/proxyctl_duration.hpp"
#include "app/proxyctl_views.hpp"

namespace pgfront::proxyctl {
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr auto connect_timeout = 3s;
constexpr auto read_timeout = 10s;
// pgfront gives a reload 30 s before it answers 503.
constexpr auto reload_read_timeout = 45s;
// A pause answers at its timeout; the HTTP read waits this much longer.
constexpr auto pause_read_margin = 15s;
constexpr auto drain_poll_interval = 500ms;
// Unchanged drain progress is repeated this often, so a long wait shows it is alive.
constexpr auto drain_progress_repeat = 10s;

struct Answer {
    bool reached = false;
    std::string failure;  // why pgfront could not be reached
    int status = 0;
    std::string body;
    json::value value;  // the parsed body; null when it is not JSON

    bool ok() const { return status >= 200 && status < 300; }
    // The API's own message for an error answer.
    std::string error_message() const {
        if (value.is_object())
            if (const auto* e = value.as_object().if_contains("error"); e && e->is_string())
                return std::string(e->as_string());
        return body.empty() ? "no message" : body;
    }
};

std::string path_segment(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

class AdminClient {
public:
    explicit AdminClient(const Invocation& invocation)
        : url_(invocation.admin.to_string()), client_(invocation.admin.host, invocation.admin.port) {
        client_.set_connection_timeout(connect_timeout);
        if (!invocation.token.empty()) client_.set_bearer_token_auth(invocation.token);
    }

    Answer get(const std::string& path, std::chrono::seconds timeout = read_timeout) {
        client_.set_read_timeout(timeout);
        return answer_of(client_.Get(path));
    }

    Answer post(const std::string& path, const json::object& body, std::chrono::seconds timeout = read_timeout) {
        client_.set_read_timeout(timeout);
        return answer_of(client_.Post(path, json::serialize(body), "application/json"));
    }

    const std::string& url() const { return url_; }

private:
    static Answer answer_of(const httplib::Result& result) {
        Answer answer;
        if (!result) {
            answer.failure = httplib::to_string(result.error());
            return answer;
        }
        answer.reached = true;
        answer.status = result->status;
        answer.body = result->body;
        boost::system::error_code ec;
        auto value = json::parse(answer.body, ec);
        if (!ec) answer.value = std::move(value);
        return answer;
    }

    std::string url_;
    httplib::Client client_;
};

class CommandRunner {
public:
    explicit CommandRunner(const Invocation& invocation) : invocation_(invocation), admin_(invocation) {}

    int run() {
        switch (invocation_.command) {
        case Command::status: return show("/status", &status_text);
        case Command::nodes: return show("/nodes", &nodes_text);
        case Command::pools: return show("/pools", &pools_text);
        case Command::clients: return show("/clients", [](const json::value& v) { return clients_text(v); });
        case Command::servers: return show("/servers", [](const json::value& v) { return servers_text(v); });
        case Command::vip: return show("/vip", &vip_text);
        case Command::drain: return drain();
        case Command::undrain: return undrain();
        case Command::pause: return pause();
        case Command::resume: return resume();
        case Command::reload: return reload();
        case Command::kill_client: return kill_client();
        }
        return exit_usage;
    }

private:
    std::string name() const { return std::string(to_string(invocation_.command)); }

    // The common checks of an answer: reached (else exit 3), JSON echoed with --json,
    // an error status reported. nullopt when the command may go on.
    std::optional<int> settle(const Answer& answer, bool echo_json = true) {
        if (!answer.reached) {
            std::cerr << "proxyctl: cannot reach pgfront's admin API at " << admin_.url() << ": " << answer.failure
                      << "\n";
            return exit_unreachable;
        }
        if (invocation_.json && echo_json) {
            std::cout << answer.body;
            if (answer.body.empty() || answer.body.back() != '\n') std::cout << "\n";
        }
        if (!answer.ok()) {
            std::cerr << "proxyctl: " << name() << " failed: " << answer.error_message() << " (HTTP " << answer.status
                      << ")\n";
            return exit_failed;
        }
        if (!answer.value.is_object()) {
            std::cerr << "proxyctl: pgfront answered something that is not a JSON object: " << answer.body.substr(0, 200)
                      << "\n";
            return exit_failed;
        }
        return std::nullopt;
    }

    template <class Render>
    int show(const std::string& path, Render render) {
        const auto answer = admin_.get(path);
        if (auto code = settle(answer)) return *code;
        if (invocation_.json) return exit_ok;
        try {
            std::cout << render(answer.value);
        } catch (const std::exception& e) {
            std::cerr << "proxyctl: unexpected answer from pgfront (" << e.what() << "): " << answer.body.substr(0, 200)
                      << "\n";
            return exit_failed;
        }
        return exit_ok;
    }

    void warn_from(const Answer& answer) {
        const auto& o = answer.value.as_object();
        if (const auto* w = o.if_contains("warning"); w && w->is_string())
            std::cerr << "proxyctl: warning: " << std::string_view(w->as_string()) << "\n";
        if (const auto* ws = o.if_contains("warnings"); ws && ws->is_array())
            for (const auto& w : ws->as_array())
                if (w.is_string()) std::cerr << "proxyctl: warning: " << std::string_view(w.as_string()) << "\n";
    }

    static std::string role_of(const Answer& answer) {
        const auto* role = answer.value.as_object().if_contains("role");
        return role && role->is_string() ? std::string(role->as_string()) : "?";
    }

    std::string node_path() const { return "/nodes/" + path_segment(invocation_.node); }

    int drain() {
        const auto answer = admin_.post(node_path() + "/drain", json::object{});
        if (auto code = settle(answer)) return *code;
        warn_from(answer);
        if (!invocation_.json)
            std::cout << invocation_.node << " drained (" << role_of(answer)
                      << "): no new sessions or transactions go to it\n";
        if (!invocation_.wait) return exit_ok;
        return wait_until_unused();
    }

    // Polls GET /nodes/NODE until nothing uses the node or the timeout passes.
    int wait_until_unused() {
        auto& progress = invocation_.json ? std::cerr : std::cout;
        const auto started = std::chrono::steady_clock::now();
        const auto deadline = started + invocation_.timeout;
        std::string last_usage;
        auto last_print = started;
        for (;;) {
            const auto answer = admin_.get(node_path());
            if (auto code = settle(answer, false)) return *code;
            const auto now = std::chrono::steady_clock::now();
            const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - started);
            try {
                if (node_unused(answer.value)) {
                    if (invocation_.json) std::cout << answer.body;
                    else
                        std::cout << invocation_.node << ": nothing uses it any more (after "
                                  << format_duration(std::chrono::duration_cast<std::chrono::seconds>(waited))
                                  << ")\n";
                    return exit_ok;
                }
                const auto usage = node_usage_text(answer.value);
                if (now >= deadline) return report_still_used(usage);
                if (usage != last_usage || now - last_print >= drain_progress_repeat) {
                    progress << invocation_.node << ": waiting for " << usage << " ("
                             << format_duration(std::chrono::duration_cast<std::chrono::seconds>(waited)) << " of "
                             << format_duration(invocation_.timeout) << ")\n"
                             << std::flush;
                    last_usage = usage;
                    last_print = now;
                }
            } catch (const std::exception& e) {
                std::cerr << "proxyctl: unexpected answer from pgfront (" << e.what() << "): "
                          << answer.body.substr(0, 200) << "\n";
                return exit_failed;
            }
            std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
                drain_poll_interval, deadline - std::chrono::steady_clock::now()));
        }
    }

    // At a drain's timeout: what still uses the node, listed client by client.
    int report_still_used(const std::string& usage) {
        std::cerr << "proxyctl: drain " << invocation_.node << ": still in use after "
                  << format_duration(invocation_.timeout) << ": " << usage << "\n";
        const auto clients = admin_.get("/clients");
        const auto servers = admin_.get("/servers");
        try {
            if (clients.reached && clients.ok() && clients.value.is_object())
                std::cerr << "clients on " << invocation_.node << ":\n" << clients_text(clients.value, invocation_.node);
            if (servers.reached && servers.ok() && servers.value.is_object())
                std::cerr << "server connections to " << invocation_.node << ":\n"
                          << servers_text(servers.value, invocation_.node);
        } catch (const std::exception&) {
            // The summary line above already says what matters.
        }
        return exit_failed;
    }

    int undrain() {
        const auto answer = admin_.post(node_path() + "/undrain", json::object{});
        if (auto code = settle(answer)) return *code;
        warn_from(answer);
        if (!invocation_.json) std::cout << invocation_.node << " undrained (" << role_of(answer) << ")\n";
        return exit_ok;
    }

    std::string scope() const { return invocation_.database ? "database " + *invocation_.database : "all databases"; }

    json::object database_body() const {
        json::object body;
        if (invocation_.database) body["database"] = *invocation_.database;
        return body;
    }

    int pause() {
        auto body = database_body();
        body["timeout_seconds"] = static_cast<double>(invocation_.timeout.count()) / 1000.0;
        const auto read = std::chrono::duration_cast<std::chrono::seconds>(invocation_.timeout) + pause_read_margin;
        const auto answer = admin_.post("/pause", body, read);
        if (auto code = settle(answer)) return *code;
        const auto& o = answer.value.as_object();
        const auto* complete = o.if_contains("complete");
        const bool done = complete && complete->is_bool() && complete->as_bool();
        if (!invocation_.json) std::cout << "paused " << scope() << (done ? ": no server connection in use\n" : "\n");
        if (!done) {
            std::string busy = "?";
            if (const auto* n = o.if_contains("servers_active"); n && n->is_number()) busy = json::serialize(*n);
            std::cerr << "proxyctl: warning: the pause is not complete after " << format_duration(invocation_.timeout)
                      << ": " << busy
                      << " server connections are still in a transaction; the pause stays in force (`proxyctl "
                         "resume` releases it)\n";
            // Like drain --wait at its timeout: `proxyctl pause && maintenance` must not go on.
            return exit_failed;
        }
        return exit_ok;
    }

    int resume() {
        const auto answer = admin_.post("/resume", database_body());
        if (auto code = settle(answer)) return *code;
        if (!invocation_.json) std::cout << "resumed " << scope() << "\n";
        return exit_ok;
    }

    int reload() {
        const auto answer = admin_.post("/reload", json::object{}, reload_read_timeout);
        if (!answer.reached || answer.ok() || !answer.value.is_object()) {
            if (auto code = settle(answer)) return *code;
            warn_from(answer);
            const auto& o = answer.value.as_object();
            if (const auto* restart = o.if_contains("restart_required"); restart && restart->is_array())
                for (const auto& key : restart->as_array())
                    if (key.is_string())
                        std::cerr << "proxyctl: warning: " << std::string_view(key.as_string())
                                  << " changed but takes effect only after a restart\n";
            if (!invocation_.json) {
                const auto* hash = o.if_contains("config_hash");
                const std::string hash_text = hash && hash->is_string() ? std::string(hash->as_string()) : "?";
                std::cout << "reloaded: config hash " << hash_text << "\n";
            }
            return exit_ok;
        }
        // 422: the file is invalid; pgfront keeps running on the configuration it had.
        if (invocation_.json) std::cout << answer.body << (answer.body.ends_with('\n') ? "" : "\n");
        std::cerr << "proxyctl: reload failed (HTTP " << answer.status << "), pgfront keeps its running configuration";
        const auto* errors = answer.value.as_object().if_contains("errors");
        if (errors && errors->is_array() && !errors->as_array().empty()) {
            std::cerr << ":\n";
            for (const auto& e : errors->as_array())
                std::cerr << "  " << (e.is_string() ? std::string(e.as_string()) : json::serialize(e)) << "\n";
        } else {
            std::cerr << ": " << answer.error_message() << "\n";
        }
        return exit_failed;
    }

    int kill_client() {
        const auto id = std::to_string(invocation_.client_id);
        const auto answer = admin_.post("/clients/" + id + "/kill", json::object{});
        if (auto code = settle(answer)) return *code;
        if (!invocation_.json) std::cout << "client " << id << " killed\n";
        return exit_ok;
    }

    const Invocation& invocation_;
    AdminClient admin_;
};

}  // namespace

int run_command(const Invocation& invocation) {
    CommandRunner runner(invocation);
    return runner.run();
}

}  // namespace pgfront::proxyctl
