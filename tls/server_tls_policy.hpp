// What pgfront does with TLS on the server leg, as pure decisions, following libpq's
// sslmode: which attempts to make in which order, and what to do with the server's answer
// to an SSLRequest. Unit-tested as a table.
#pragma once

#include <optional>
#include <string_view>

#include "conf/tls_config.hpp"

namespace pgfront::tls {

enum class ServerAttempt {
    plain,          // no SSLRequest
    tls_preferred,  // SSLRequest; 'N' means go on in plain text
    tls_required,   // SSLRequest; 'N' is a failure
};

ServerAttempt first_server_attempt(conf::TlsMode server_mode);

// After a login refused with `sqlstate`: allow tries again with TLS when a plain attempt was
// refused for its missing encryption (28000, e.g. a hostssl-only pg_hba.conf), as libpq does.
std::optional<ServerAttempt> next_server_attempt(conf::TlsMode server_mode, ServerAttempt previous,
                                                 std::string_view sqlstate);

enum class SslAnswerAction { handshake, continue_plain, fail_unsupported, fail_malformed };

SslAnswerAction on_server_ssl_answer(ServerAttempt attempt, char answer);

}  // namespace pgfront::tls
