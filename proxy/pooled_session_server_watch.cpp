// Session mode, between transactions: the server may speak first. A LISTEN's notifications,
// a notice, or the FATAL of a session the server ends (pg_terminate_backend,
// idle_session_timeout, a shutdown) reach the client as they come, as they do from
// PostgreSQL, while its next request is awaited. Without this they waited in the server's
// socket for the client's next query, and an application that sleeps on LISTEN never woke.
//
// The client is read as always, and the server at the same time; when the client's read
// ends, it cancels the server's (a plain socket read, safe to cancel) unless that one is busy
// passing something on, in which case the watch ends after it. Transaction and statement mode
// hold no server between transactions, and inside a transaction PostgreSQL delivers nothing
// before it ends, so only session mode watches.
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "net/completion_tokens.hpp"
#include "proxy/pooled_session.hpp"

namespace pgfront::proxy {
namespace asio = boost::asio;

// A TLS server leg is not watched: cancelling a TLS read leaves its stream unusable.
bool PooledSession::server_may_speak_first() const {
    const auto& tracker = server_->tracker();
    return mode_ == conf::PoolMode::session && tracker.at_boundary() && !tracker.in_transaction() &&
           !server_->socket().encrypted();
}

asio::awaitable<bool> PooledSession::read_client_while_server_may_speak() {
    using namespace asio::experimental::awaitable_operators;
    watch_ = {};
    const auto [client_ok, server_ok] = co_await (read_client_then_end_watch() && watch_server());
    co_return client_ok && server_ok;
}

asio::awaitable<bool> PooledSession::read_client_then_end_watch() {
    const bool read = co_await read_client();
    watch_.client_done = true;
    if (!watch_.server_busy) {
        boost::system::error_code ignored;
        server_->socket().lowest_layer().cancel(ignored);
    }
    co_return read;
}

// False when the server is gone (its FATAL, or pgfront's error, passed on): the client's
// read is then ended too, and with it the session.
asio::awaitable<bool> PooledSession::watch_server() {
    auto& input = server_->input();
    while (!watch_.client_done) {
        auto area = input.write_area();
        auto [ec, n] =
            co_await server_->socket().async_read_some(asio::buffer(area.data(), area.size()), net::deferred_nothrow);
        if (ec == asio::error::operation_aborted && watch_.client_done) co_return true;
        watch_.server_busy = true;
        bool passed_on = false;
        if (ec) {
            co_await report_server_gone();
        } else {
            input.commit(n);
            passed_on = co_await forward_server_messages();
        }
        watch_.server_busy = false;
        if (!passed_on) {
            boost::system::error_code ignored;
            client_.close(ignored);
            co_return false;
        }
    }
    co_return true;
}

}  // namespace pgfront::proxy
