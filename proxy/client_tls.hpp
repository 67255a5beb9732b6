// The client leg's TLS steps that both session kinds take: answering an SSLRequest (with the
// handshake when pgfront terminates TLS) and checking a StartupMessage against
// tls.client.mode. The decisions are tls/client_tls_policy's; this file carries them out.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tls/client_tls_policy.hpp"
#include "tls/socket_stream.hpp"
#include "tls/tls_contexts.hpp"

namespace pgfront::proxy {

enum class SslRequestOutcome {
    encrypted,  // 'S' sent and the handshake done: read the next startup packet through TLS
    declined,   // 'N' sent: the client goes on in plain text
    forward,    // pass-through without TLS settings: the caller relays the request to PostgreSQL
    failed,     // the connection is done (write failed, handshake failed, bytes sent ahead of the answer)
};

struct ClientTlsContext {
    const tls::TlsContexts* tls;  // null: no tls: section in force
    bool pass_through;            // pool.mode none
    std::uint64_t session_id;
    const std::string& peer;
};

// `data_after_request`: the client sent bytes behind its SSLRequest before our answer. They
// would be taken as plain text (ahead of the handshake, or as the login after an 'N'), so they are
// refused either way, as PostgreSQL does (CVE-2021-23214).
boost::asio::awaitable<SslRequestOutcome> answer_client_ssl_request(tls::SocketStream& client,
                                                                    const ClientTlsContext& context,
                                                                    bool data_after_request);

// A refusal for a StartupMessage that tls.client.mode does not allow on this connection.
std::optional<tls::ClientRefusal> check_client_tls(const tls::TlsContexts* tls,
                                                   const tls::SocketStream& client,
                                                   std::string_view user);

}  // namespace pgfront::proxy
