// What pgfront does with TLS on the client leg, as pure decisions: the answer to an
// SSLRequest, and whether a StartupMessage may go on given how its connection is secured
// (tls.client.mode; PgBouncer's client_tls_sslmode semantics). Unit-tested as a table.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "conf/tls_config.hpp"

namespace pgfront::tls {

enum class SslRequestAnswer {
    accept,              // 'S', then a TLS handshake with pgfront's certificate
    decline,             // 'N': the client goes on in plain text (or gives up if it requires TLS)
    forward,             // pass-through, no TLS configured: PostgreSQL answers, TLS runs end to end
};

// `can_forward`: pass-through (pool.mode none) with tls.server disabled, so pgfront has no
// server-leg TLS of its own to keep and PostgreSQL can answer the request itself. Only the
// first SSLRequest of a connection is asked about: the sessions refuse a second one.
SslRequestAnswer answer_ssl_request(conf::TlsMode client_mode, bool can_forward);

struct ClientRefusal {
    std::string_view sqlstate;
    std::string message;
};

// Called with the client's StartupMessage. `encrypted`: pgfront terminated TLS on this
// connection; `certificate_name`: the Common Name of the client's verified certificate.
// verify-full also wants that name to be the user (PostgreSQL's clientcert=verify-full).
std::optional<ClientRefusal> check_client_startup(conf::TlsMode client_mode, bool encrypted,
                                                  std::optional<std::string_view> certificate_name,
                                                  std::string_view user);

}  // namespace pgfront::tls
