// Client-leg TLS steps (see client_tls.hpp).
#include "proxy/client_tls.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/completion_tokens.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/sqlstate.hpp"

namespace pgfront::proxy {
namespace asio = boost::asio;

namespace {
using net::nothrow;

conf::TlsMode client_mode(const tls::TlsContexts* tls) {
    return tls && tls->client ? tls->config.client.mode : conf::TlsMode::disable;
}

void write_fatal(protocol::ByteBuffer& out, std::string_view message) {
    protocol::write_error_response(
        out, {protocol::Severity::fatal, protocol::sqlstate::protocol_violation, message});
}

asio::awaitable<bool> write_bytes(tls::SocketStream& client, const protocol::ByteBuffer& bytes) {
    auto [ec, n] = co_await asio::async_write(client, asio::buffer(bytes), nothrow);
    co_return !ec;
}
}  // namespace

asio::awaitable<SslRequestOutcome> answer_client_ssl_request(tls::SocketStream& client,
                                                             const ClientTlsContext& context,
                                                             bool data_after_request) {
    const bool server_leg_tls = context.tls && context.tls->server;
    const auto answer = tls::answer_ssl_request(client_mode(context.tls), context.pass_through && !server_leg_tls);
    protocol::ByteBuffer out;
    switch (answer) {
        case tls::SslRequestAnswer::forward:
            co_return SslRequestOutcome::forward;
        case tls::SslRequestAnswer::decline:
            protocol::write_ssl_response(out, false);
            // PostgreSQL refuses bytes sent ahead of its answer either way: a client that
            // did not wait for it cannot have read it.
            if (data_after_request) write_fatal(out, "received unencrypted data after SSL request");
            if (!co_await write_bytes(client, out) || data_after_request) co_return SslRequestOutcome::failed;
            co_return SslRequestOutcome::declined;
        case tls::SslRequestAnswer::accept:
            break;
    }
    if (data_after_request) {
        write_fatal(out, "received unencrypted data after SSL request");
        co_await write_bytes(client, out);
        co_return SslRequestOutcome::failed;
    }
    protocol::write_ssl_response(out, true);
    if (!co_await write_bytes(client, out)) co_return SslRequestOutcome::failed;
    if (const auto ec = co_await client.handshake_as_server(context.tls->client)) {
        // Mostly clients that do not trust our certificate (they close the handshake).
        spdlog::info("TLS handshake with client failed id={} client={}: {}", context.session_id,
                     context.peer, client.describe_failure(ec));
        co_return SslRequestOutcome::failed;
    }
    spdlog::debug("client id={} client={} encrypted: {}", context.session_id, context.peer,
                  client.describe_session());
    co_return SslRequestOutcome::encrypted;
}

std::optional<tls::ClientRefusal> check_client_tls(const tls::TlsContexts* tls,
                                                   const tls::SocketStream& client,
                                                   std::string_view user) {
    const auto name = client.peer_common_name();
    return tls::check_client_startup(client_mode(tls), client.encrypted(),
                                     name ? std::optional<std::string_view>(*name) : std::nullopt,
                                     user);
}

}  // namespace pgfront::proxy
