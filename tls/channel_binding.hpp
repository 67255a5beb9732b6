// SCRAM channel binding across pgfront's TLS in pass-through mode. PostgreSQL offers
// SCRAM-SHA-256-PLUS on an encrypted connection and binds it to its own certificate
// (tls-server-end-point). When pgfront encrypts the server leg for a client that came in
// plain text, that client cannot bind to anything, and libpq refuses a -PLUS offer on a
// plain connection as a sign of tampering; so the offer is passed on without the -PLUS
// mechanisms and the client answers "n" (no channel binding), which PostgreSQL accepts.
// Pure.
#pragma once

#include <optional>

#include "protocol/bytes.hpp"

namespace pgfront::tls {

// Whether the server's SASL offer has to lose its -PLUS mechanisms on the way to the client.
inline bool hide_channel_binding(bool client_encrypted, bool server_encrypted_by_pgfront) {
    return server_encrypted_by_pgfront && !client_encrypted;
}

// `payload`: an Authentication ('R') message's payload. The whole message to send instead
// when it is an AuthenticationSASL that lists a -PLUS mechanism; nullopt otherwise.
std::optional<protocol::ByteBuffer> sasl_offer_without_channel_binding(protocol::Bytes payload);

}  // namespace pgfront::tls
