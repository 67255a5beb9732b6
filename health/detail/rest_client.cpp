// The Beast-based GET client behind HealthMonitor: keep-alive, bounded body, a deadline
// enforced by closing the socket, errors as values.
#include "health/detail/rest_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <vector>

namespace pgfront::health::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kHeaderLimit = std::size_t{16} * 1024;
}  // namespace

// Shared with the deadline handler, which may run after a request has finished; the
// generation tells it whether the request it was armed for is still the current one.
struct RestClient::Connection {
    explicit Connection(const asio::any_io_executor& ex) : resolver(ex), socket(ex) {}

    // Safe while an operation is pending: it completes with operation_aborted.
    void abort() {
        error_code ignored;
        resolver.cancel();
        socket.close(ignored);
    }

    // Only between operations: also forgets bytes read ahead on the old connection.
    void drop() {
        abort();
        buffer.consume(buffer.size());
    }

    tcp::resolver resolver;
    tcp::socket socket;
    boost::beast::flat_buffer buffer;
    std::vector<tcp::endpoint> endpoints;  // resolved once, again after a connect failure
    std::uint64_t generation = 0;
    bool timed_out = false;
    bool closed = false;  // by close(): the request in flight must not try again
    const char* phase = "idle";
};

RestClient::RestClient(const asio::any_io_executor& executor, ApiUrl url, std::size_t body_limit)
    : url_(std::move(url)),
      body_limit_(body_limit),
      conn_(std::make_shared<Connection>(executor)),
      deadline_(executor) {}

RestClient::~RestClient() {
    close();
}

void RestClient::close() {
    conn_->closed = true;
    ++conn_->generation;
    deadline_.cancel();
    conn_->abort();
}

asio::awaitable<RestOutcome> RestClient::get(std::string_view path, conf::Duration timeout) {
    const std::uint64_t generation = ++conn_->generation;
    conn_->timed_out = false;
    conn_->closed = false;
    deadline_.expires_after(timeout);
    deadline_.async_wait([conn = conn_, generation](error_code ec) {
        if (ec || conn->generation != generation) return;
        conn->timed_out = true;
        conn->abort();
    });

    RestOutcome out = co_await attempt(url_.target(path), true);

    const bool timed_out = conn_->timed_out && conn_->generation == generation;
    const char* phase = conn_->phase;
    ++conn_->generation;
    deadline_.cancel();
    if (timed_out) {
        out.response.reset();
        out.error = "timed out after " + std::to_string(timeout.count()) + "ms (" + phase + ")";
    }
    conn_->phase = "idle";
    co_return out;
}

asio::awaitable<std::string> RestClient::connect() {
    Connection& c = *conn_;
    c.buffer.consume(c.buffer.size());
    if (c.endpoints.empty()) {
        error_code ec;
        const auto address = asio::ip::make_address(url_.host, ec);
        if (!ec) {
            c.endpoints.emplace_back(address, url_.port);
        } else {
            c.phase = "resolving";
            auto [rec, results] =
                co_await c.resolver.async_resolve(url_.host, std::to_string(url_.port), kUseTuple);
            if (rec) co_return "resolve " + url_.host + ": " + rec.message();
            for (const auto& r : results) c.endpoints.push_back(r.endpoint());
            if (c.endpoints.empty()) co_return "resolve " + url_.host + ": no addresses";
        }
    }
    c.phase = "connecting";
    auto [cec, endpoint] = co_await asio::async_connect(c.socket, c.endpoints, kUseTuple);
    if (cec) {
        c.endpoints.clear();  // the name may point elsewhere by the next attempt
        c.drop();
        co_return "connect " + url_.host + ":" + std::to_string(url_.port) + ": " + cec.message();
    }
    error_code ignored;
    c.socket.set_option(tcp::no_delay(true), ignored);
    co_return std::string();
}

asio::awaitable<RestOutcome> RestClient::attempt(const std::string& target, bool may_retry) {
    Connection& c = *conn_;
    const bool reused = c.socket.is_open();
    if (!reused) {
        std::string error = co_await connect();
        if (!error.empty()) co_return RestOutcome{std::nullopt, std::move(error)};
    }

    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, url_.host_header());
    req.set(http::field::user_agent, "pgfront");
    req.set(http::field::accept, "application/json");
    req.keep_alive(true);

    c.phase = "sending";
    auto [wec, written] = co_await http::async_write(c.socket, req, kUseTuple);
    (void)written;
    if (wec) {
        c.drop();
        // A kept-alive connection may have been closed by the server while idle.
        if (reused && may_retry && !c.timed_out && !c.closed) co_return co_await attempt(target, false);
        co_return RestOutcome{std::nullopt, "send: " + wec.message()};
    }

    http::response_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(body_limit_);
    c.phase = "waiting for the response";
    auto [rec, read] = co_await http::async_read(c.socket, c.buffer, parser, kUseTuple);
    if (rec) {
        const bool nothing_received = read == 0;
        c.drop();
        if (reused && may_retry && nothing_received && !c.timed_out && !c.closed) {
            co_return co_await attempt(target, false);
        }
        co_return RestOutcome{std::nullopt, "read: " + rec.message()};
    }
    auto res = parser.release();
    if (!res.keep_alive()) c.drop();  // Patroni answers HTTP/1.0 and closes every time
    co_return RestOutcome{RestResponse{res.result_int(), std::move(res.body())}, {}};
}

}  // namespace pgfront::health::detail
