// Admin HTTP server (see admin_server.hpp). cpp-httplib gives each request a pooled thread;
// read handlers copy snapshots and render them, action handlers hand the work to the proxy
// through ProxyControl and wait for its answer with a bound.
#include "admin/admin_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <future>
#include <stdexcept>
#include <thread>

#include "admin/metrics_text.hpp"
#include "admin/status_json.hpp"
#include "admin/vip_json.hpp"
#include "app/version.hpp"

namespace pgfront::admin {
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* json_type = "application/json";
// The workers answer a snapshot in microseconds; a loop that does not within this bound is
// reported rather than waited for.
constexpr auto snapshot_patience = 2s;
constexpr double max_pause_timeout_seconds = 3600;

enum class Method { get, post };

void reply(httplib::Response& res, int status, const json::object& body) {
    res.status = status;
    res.set_content(json::serialize(body) + "\n", json_type);
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    res.set_content(error_json(status, message), json_type);
}

// Compares without an early exit, so timing does not tell how much of a guess was right.
bool same_secret(std::string_view given, std::string_view expected) {
    if (given.size() != expected.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
    return diff == 0;
}

// The request's JSON object body; an empty body is an empty object. nullopt (and a 400
// already set) when the body is not a JSON object.
std::optional<json::object> body_object(const httplib::Request& req, httplib::Response& res) {
    if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object{};
    boost::system::error_code ec;
    auto value = json::parse(req.body, ec);
    if (ec || !value.is_object()) {
        reply_error(res, 400, ec ? "request body is not valid JSON: " + ec.message() : "request body must be a JSON object");
        return std::nullopt;
    }
    return std::move(value.as_object());
}

// An optional string member; false (and a 400 set) when present but not a string.
bool optional_string(const json::object& body, const char* key, std::optional<std::string>& out,
                     httplib::Response& res) {
    const auto* v = body.if_contains(key);
    if (!v || v->is_null()) return true;
    if (!v->is_string() || v->as_string().empty()) {
        reply_error(res, 400, std::string("\"") + key + "\" must be a non-empty string");
        return false;
    }
    out = std::string(v->as_string());
    return true;
}

template <class T>
std::optional<T> wait_for(std::future<T>& future, std::chrono::milliseconds patience) {
    if (future.wait_for(patience) != std::future_status::ready) return std::nullopt;
    return future.get();
}

}  // namespace

struct AdminServer::Impl {
    AdminSources sources;
    httplib::Server server;
    std::thread thread;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

    proxy::ProxyControl::SnapshotPtr snapshot() {
        if (!sources.control) return nullptr;
        auto promise = std::make_shared<std::promise<proxy::ProxyControl::SnapshotPtr>>();
        auto future = promise->get_future();
        sources.control->snapshot([promise](proxy::ProxyControl::SnapshotPtr s) { promise->set_value(std::move(s)); });
        auto result = wait_for(future, snapshot_patience);
        if (!result) {
            spdlog::warn("admin: the proxy's event loops did not answer a snapshot within {} s",
                         snapshot_patience.count());
            return nullptr;
        }
        return *result;
    }

    // Mutating calls need the bearer token when admin.token is set.
    bool authorized(const httplib::Request& req, httplib::Response& res) {
        const auto config = sources.config();
        const auto& token = config->admin.token;
        if (token.empty()) return true;
        const auto header = req.get_header_value("Authorization");
        constexpr std::string_view scheme = "Bearer ";
        if (header.size() > scheme.size() && header.compare(0, scheme.size(), scheme) == 0 &&
            same_secret(std::string_view(header).substr(scheme.size()), token))
            return true;
        res.set_header("WWW-Authenticate", "Bearer realm=\"pgfront\"");
        reply_error(res, 401, header.empty() ? "this action needs admin.token as a bearer token"
                                             : "wrong admin token");
        spdlog::warn("admin: refused {} {} from {}: {}", req.method, req.path, req.remote_addr,
                     header.empty() ? "no token" : "wrong token");
        return false;
    }

    void route(const std::string& pattern, Method allowed, httplib::Server::Handler handler);
    void serve_reads();
    void serve_actions();
};

// Every method is routed for every known path, so a wrong method gets 405 (with Allow), not
// a 404 that would suggest a typo in the path.
void AdminServer::Impl::route(const std::string& pattern, Method allowed, httplib::Server::Handler handler) {
    const std::string allow = allowed == Method::get ? "GET" : "POST";
    auto refuse = [allow](const httplib::Request& req, httplib::Response& res) {
        res.set_header("Allow", allow);
        reply_error(res, 405, req.method + " is not allowed on " + req.path + "; use " + allow);
    };
    if (allowed == Method::get) {
        server.Get(pattern, std::move(handler));
        server.Post(pattern, refuse);
    } else {
        server.Post(pattern, std::move(handler));
        server.Get(pattern, refuse);
    }
    server.Put(pattern, refuse);
    server.Patch(pattern, refuse);
    server.Delete(pattern, refuse);
    server.Options(pattern, refuse);
}

void AdminServer::Impl::serve_reads() {
    route("/status", Method::get, [this](const httplib::Request&, httplib::Response& res) {
        StatusFacts facts{PGFRONT_VERSION, PGFRONT_IO_BACKEND, sources.config_path, sources.config_hash(),
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
        const auto proxy = snapshot();
        res.set_content(status_json(facts, *sources.config(), *sources.topology(), sources.counters(), proxy.get()),
                        json_type);
    });
    route("/nodes", Method::get, [this](const httplib::Request&, httplib::Response& res) {
        const auto proxy = snapshot();
        res.set_content(nodes_json(*sources.topology(), proxy.get(), std::chrono::steady_clock::now()), json_type);
    });
    route(R"(/nodes/([^/]+))", Method::get, [this](const httplib::Request& req, httplib::Response& res) {
        const auto name = req.matches[1].str();
        const auto proxy = snapshot();
        auto body = node_json(*sources.topology(), name, proxy.get(), std::chrono::steady_clock::now());
        if (body.empty()) return reply_error(res, 404, "no node named '" + name + "'");
        res.set_content(body, json_type);
    });
    auto proxy_view = [this](std::string (*render)(const proxy::ProxySnapshot&)) {
        return [this, render](const httplib::Request&, httplib::Response& res) {
            const auto proxy = snapshot();
            if (!proxy) return reply_error(res, 503, "the proxy's event loops did not answer in time");
            res.set_content(render(*proxy), json_type);
        };
    };
    route("/pools", Method::get, proxy_view(&pools_json));
    route("/clients", Method::get, proxy_view(&clients_json));
    route("/servers", Method::get, proxy_view(&servers_json));
    route("/vip", Method::get, [this](const httplib::Request&, httplib::Response& res) {
        std::optional<vip::VipStatus> status;
        if (sources.vip) status = sources.vip();
        res.set_content(vip_json(status), json_type);
    });
    route("/metrics", Method::get, [this](const httplib::Request&, httplib::Response& res) {
        const auto topology = sources.topology();
        const auto proxy = snapshot();
        MetricsFacts facts;
        facts.topology = topology.get();
        facts.counters = sources.counters();
        facts.proxy = proxy.get();
        if (sources.vip) facts.vip = sources.vip();
        facts.uptime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        res.set_content(metrics_text(facts), "text/plain; version=0.0.4; charset=utf-8");
    });
}

void AdminServer::Impl::serve_actions() {
    auto drain = [this](bool drained) {
        return [this, drained](const httplib::Request& req, httplib::Response& res) {
            if (!authorized(req, res)) return;
            if (!body_object(req, res)) return;
            const auto name = req.matches[1].str();
            const auto topology = sources.topology();
            const auto* node = topology->find(name);
            if (!node) return reply_error(res, 404, "no node named '" + name + "'");
            sources.set_drained(name, drained);
            json::object body{{"node", name}, {"drained", drained}, {"role", std::string(health::to_string(node->role))}};
            if (drained && node->eligible_primary) {
                body["warning"] = "node " + name +
                                  " is the primary: it keeps serving writes until Patroni moves the leader; run "
                                  "`patronictl switchover` to move it";
            }
            spdlog::info("admin: node={} {} by {}", name, drained ? "drained" : "undrained", req.remote_addr);
            reply(res, 200, body);
        };
    };
    route(R"(/nodes/([^/]+)/drain)", Method::post, drain(true));
    route(R"(/nodes/([^/]+)/undrain)", Method::post, drain(false));

    route("/pause", Method::post, [this](const httplib::Request& req, httplib::Response& res) {
        if (!authorized(req, res)) return;
        const auto body = body_object(req, res);
        if (!body) return;
        std::optional<std::string> database;
        if (!optional_string(*body, "database", database, res)) return;
        double timeout = 60;
        if (const auto* t = body->if_contains("timeout_seconds")) {
            if (!t->is_number() || t->to_number<double>() < 0 || t->to_number<double>() > max_pause_timeout_seconds)
                return reply_error(res, 400, "\"timeout_seconds\" must be a number from 0 to 3600");
            timeout = t->to_number<double>();
        }
        sources.control->pause(database);
        // PgBouncer's PAUSE: done when nothing in scope holds a server any more.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout);
        std::size_t busy = 0;
        for (;;) {
            const auto proxy = snapshot();
            busy = 0;
            if (proxy) {
                for (const auto& s : proxy->servers) busy += s.active && (!database || s.database == *database);
            }
            if (proxy && busy == 0) break;
            if (std::chrono::steady_clock::now() >= deadline) break;
            std::this_thread::sleep_for(50ms);
        }
        json::object answer{{"paused", true}, {"complete", busy == 0}, {"servers_active", busy}};
        if (database) answer["database"] = *database;
        else answer["database"] = nullptr;
        reply(res, 200, answer);
    });
    route("/resume", Method::post, [this](const httplib::Request& req, httplib::Response& res) {
        if (!authorized(req, res)) return;
        const auto body = body_object(req, res);
        if (!body) return;
        std::optional<std::string> database;
        if (!optional_string(*body, "database", database, res)) return;
        if (!sources.control->resume(database))
            return reply_error(res, 409, database ? "database '" + *database + "' is not paused" : "nothing is paused");
        json::object answer{{"paused", false}};
        if (database) answer["database"] = *database;
        else answer["database"] = nullptr;
        reply(res, 200, answer);
    });
    route("/reload", Method::post, [this](const httplib::Request& req, httplib::Response& res) {
        if (!authorized(req, res)) return;
        if (!body_object(req, res)) return;
        auto promise = std::make_shared<std::promise<proxy::ReloadOutcome>>();
        auto future = promise->get_future();
        sources.control->reload([promise](proxy::ReloadOutcome outcome) { promise->set_value(std::move(outcome)); });
        const auto outcome = wait_for(future, std::chrono::milliseconds(30s));
        if (!outcome) return reply_error(res, 503, "the reload did not finish within 30 s");
        auto strings = [](const std::vector<std::string>& items) {
            json::array a;
            for (const auto& i : items) a.push_back(json::value(i));
            return a;
        };
        if (!outcome->applied) {
            return reply(res, 422, json::object{{"reloaded", false}, {"errors", strings(outcome->errors)},
                                                {"config_hash", outcome->config_hash}});
        }
        reply(res, 200, json::object{{"reloaded", true}, {"config_hash", outcome->config_hash},
                                     {"restart_required", strings(outcome->restart_required)},
                                     {"warnings", strings(outcome->warnings)}});
    });
    route(R"(/clients/([^/]+)/kill)", Method::post, [this](const httplib::Request& req, httplib::Response& res) {
        if (!authorized(req, res)) return;
        if (!body_object(req, res)) return;
        const auto text = req.matches[1].str();
        std::uint64_t id = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec != std::errc{} || end != text.data() + text.size() || id == 0)
            return reply_error(res, 400, "client id must be a positive number, not '" + text + "'");
        auto promise = std::make_shared<std::promise<bool>>();
        auto future = promise->get_future();
        sources.control->kill_client(id, [promise](bool killed) { promise->set_value(killed); });
        const auto killed = wait_for(future, std::chrono::milliseconds(snapshot_patience));
        if (!killed) return reply_error(res, 503, "the proxy's event loops did not answer in time");
        if (!*killed) return reply_error(res, 404, "no client with id " + text);
        spdlog::info("admin: client id={} killed by {}", id, req.remote_addr);
        reply(res, 200, json::object{{"killed", id}});
    });
}

AdminServer::AdminServer(AdminSources sources) : impl_(std::make_unique<Impl>()) {
    impl_->sources = std::move(sources);
    auto& s = impl_->server;

    s.set_payload_max_length(64 * 1024);
    s.set_read_timeout(5, 0);
    s.set_write_timeout(5, 0);
    s.set_keep_alive_max_count(100);
    // cpp-httplib reads a Content-Length of "abc" or "0x10", or two that differ, as some
    // number; RFC 9112 6.3 makes such a message invalid. Refuse it before any handler acts.
    s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
        // And it reads a body without Content-Length (or chunked) until the client closes,
        // where RFC 9112 6.3 says it is empty: ask for a length instead (curl -X POST sends none).
        const auto count = req.get_header_value_count("Content-Length");
        const auto value = req.get_header_value("Content-Length");
        if (count == 0 && (req.method == "POST" || req.method == "PUT" || req.method == "PATCH") &&
            !req.has_header("Transfer-Encoding")) {
            res.set_header("Connection", "close");
            reply_error(res, 411, "send a Content-Length (0 for no body)");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (count <= 1 && (count == 0 || (!value.empty() && value.find_first_not_of("0123456789") == std::string::npos)))
            return httplib::Server::HandlerResponse::Unhandled;
        res.set_header("Connection", "close");
        reply_error(res, 400, "invalid Content-Length");
        return httplib::Server::HandlerResponse::Handled;
    });
    impl_->serve_reads();
    impl_->serve_actions();
    // Everything else: a JSON error with the right status, never a crash.
    s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        const auto message = res.status == 404 ? "no such endpoint: " + req.path
                                               : "request failed with HTTP status " + std::to_string(res.status);
        res.set_content(error_json(res.status, message), json_type);
    });
    s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content(error_json(500, "internal error"), json_type);
    });
}

AdminServer::~AdminServer() { stop(); }

void AdminServer::start(const conf::Endpoint& listen) {
    // httplib's default adds SO_REUSEPORT, which would let a second pgfront share this port.
    impl_->server.set_socket_options([](socket_t sock) {
        const int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    errno = 0;
    if (!impl_->server.bind_to_port(listen.host, listen.port)) {
        // httplib only says "false"; the errno of its failed bind or listen is still set (it
        // only closes the socket afterwards) and is what an operator needs ("Address already in use").
        const int why = errno;
        throw std::runtime_error("cannot listen: admin API on " + listen.to_string() + ": " +
                                 (why != 0 ? std::strerror(why) : "unknown error"));
    }
    impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
}

void AdminServer::stop() {
    impl_->server.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace pgfront::admin
