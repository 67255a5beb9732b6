// Securing a fresh connection to PostgreSQL before its StartupMessage: the SSLRequest, the
// server's one-byte answer and the handshake, as the server-leg policy says for the attempt.
// Used by pooled server connections, the auth_query connection and pass-through sessions.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "tls/server_tls_policy.hpp"
#include "tls/socket_stream.hpp"
#include "tls/tls_contexts.hpp"

namespace pgfront::tls {

struct ServerTlsFailure {
    std::string message;
    // The server or its certificate said no (no SSL support, failed verification): trying
    // the same node again cannot help. False for a connection that broke.
    bool definitive = false;
};

// nullopt: the stream is ready for the StartupMessage, encrypted or (when the attempt
// allows) plain. `tls` may be null only for ServerAttempt::plain.
boost::asio::awaitable<std::optional<ServerTlsFailure>> secure_server_connection(
    SocketStream& stream, ServerAttempt attempt, const TlsContexts* tls, const std::string& host);

}  // namespace pgfront::tls
