// Server-leg TLS decisions (see server_tls_policy.hpp).
#include "tls/server_tls_policy.hpp"

#include "protocol/sqlstate.hpp"

namespace pgfront::tls {

using conf::TlsMode;

ServerAttempt first_server_attempt(TlsMode server_mode) {
    switch (server_mode) {
        case TlsMode::disable:
        case TlsMode::allow:
            return ServerAttempt::plain;
        case TlsMode::prefer:
            return ServerAttempt::tls_preferred;
        case TlsMode::require:
        case TlsMode::verify_ca:
        case TlsMode::verify_full:
            return ServerAttempt::tls_required;
    }
    return ServerAttempt::plain;
}

std::optional<ServerAttempt> next_server_attempt(TlsMode server_mode, ServerAttempt previous,
                                                 std::string_view sqlstate) {
    if (server_mode == TlsMode::allow && previous == ServerAttempt::plain &&
        sqlstate == protocol::sqlstate::invalid_authorization_specification)
        return ServerAttempt::tls_required;
    return std::nullopt;
}

SslAnswerAction on_server_ssl_answer(ServerAttempt attempt, char answer) {
    if (answer == 'S') return SslAnswerAction::handshake;
    if (answer == 'N')
        return attempt == ServerAttempt::tls_required ? SslAnswerAction::fail_unsupported
                                                      : SslAnswerAction::continue_plain;
    // PostgreSQL answers only S or N; an 'E' comes from servers older than 7.0.
    return SslAnswerAction::fail_malformed;
}

}  // namespace pgfront::tls
