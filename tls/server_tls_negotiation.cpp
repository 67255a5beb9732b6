// Server-leg TLS negotiation (see server_tls_negotiation.hpp).
#include "tls/server_tls_negotiation.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/completion_tokens.hpp"
#include "protocol/message_writer.hpp"

namespace pgfront::tls {
namespace asio = boost::asio;

namespace {
using net::nothrow;

ServerTlsFailure make_failure(std::string message, bool definitive) {
    ServerTlsFailure f;
    f.message = std::move(message);
    f.definitive = definitive;
    return f;
}
}  // namespace

asio::awaitable<std::optional<ServerTlsFailure>> secure_server_connection(SocketStream& stream,
                                                                          ServerAttempt attempt,
                                                                          const TlsContexts* tls,
                                                                          const std::string& host) {
    if (attempt == ServerAttempt::plain) co_return std::nullopt;
    if (!tls || !tls->server)
        co_return make_failure("no TLS context for the server leg (tls.server)", true);
    const auto mode = std::string(conf::to_string(tls->config.server.mode));

    protocol::ByteBuffer request;
    protocol::write_ssl_request(request);
    auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(request), nothrow);
    if (wec)
        co_return make_failure(
            "server closed the connection before answering the SSL request: " + wec.message(),
            false);
    // Exactly one byte: anything the server sent after 'S' belongs to the handshake, and
    // plain bytes there must not be taken as protocol messages (CVE-2021-23222).
    char answer = 0;
    auto [rec, rn] = co_await asio::async_read(stream, asio::buffer(&answer, 1), nothrow);
    if (rec)
        co_return make_failure(
            "server closed the connection before answering the SSL request: " + rec.message(),
            false);

    switch (on_server_ssl_answer(attempt, answer)) {
        case SslAnswerAction::continue_plain:
            co_return std::nullopt;
        case SslAnswerAction::fail_unsupported:
            co_return make_failure(
                "server " + host + " does not support SSL, but tls.server.mode is " + mode, true);
        case SslAnswerAction::fail_malformed:
            co_return make_failure(
                "server " + host + " answered the SSL request with an unexpected byte", true);
        case SslAnswerAction::handshake:
            break;
    }
    const bool verify_host = tls->config.server.mode == conf::TlsMode::verify_full;
    const auto ec = co_await stream.handshake_as_client(tls->server, host, verify_host);
    if (ec) {
        const bool tls_said_no = ec.category() == asio::error::get_ssl_category();
        co_return make_failure("TLS handshake with server " + host + " failed (tls.server.mode " +
                                   mode + "): " + stream.describe_failure(ec),
                               tls_said_no);
    }
    co_return std::nullopt;
}

}  // namespace pgfront::tls
