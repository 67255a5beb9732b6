// Client-leg TLS decisions (see client_tls_policy.hpp).
#include "tls/client_tls_policy.hpp"

#include "protocol/sqlstate.hpp"

namespace pgfront::tls {

using conf::TlsMode;

SslRequestAnswer answer_ssl_request(TlsMode client_mode, bool can_forward) {
    if (client_mode != TlsMode::disable) return SslRequestAnswer::accept;
    // Without any tls: settings, pass-through behaves like HAProxy in TCP mode: the client's
    // TLS session is with PostgreSQL itself. The pooling modes read every message, and a
    // configured tls.server must decide the server leg, so those decline.
    return can_forward ? SslRequestAnswer::forward : SslRequestAnswer::decline;
}

std::optional<ClientRefusal> check_client_startup(TlsMode client_mode, bool encrypted,
                                                  std::optional<std::string_view> certificate_name,
                                                  std::string_view user) {
    const bool required = client_mode == TlsMode::require || conf::verifies_peer(client_mode);
    if (required && !encrypted)
        return ClientRefusal{protocol::sqlstate::invalid_authorization_specification,
                             "SSL required: this pgfront accepts only encrypted connections "
                             "(connect with sslmode=require or stronger)"};
    if (client_mode == TlsMode::verify_full && encrypted && certificate_name != user)
        return ClientRefusal{protocol::sqlstate::invalid_authorization_specification,
                             "certificate validation (verify-full) failed for user \"" +
                                 std::string(user) + "\": the certificate's common name is \"" +
                                 std::string(certificate_name.value_or("")) + "\""};
    return std::nullopt;
}

}  // namespace pgfront::tls
