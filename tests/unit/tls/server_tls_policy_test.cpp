// The server leg's decisions as a table, after libpq's sslmode.
#include "tls/server_tls_policy.hpp"

#include <doctest/doctest.h>

using pgfront::conf::TlsMode;
using namespace pgfront::tls;

TEST_CASE("the first attempt per tls.server.mode") {
    CHECK(first_server_attempt(TlsMode::disable) == ServerAttempt::plain);
    CHECK(first_server_attempt(TlsMode::allow) == ServerAttempt::plain);
    CHECK(first_server_attempt(TlsMode::prefer) == ServerAttempt::tls_preferred);
    CHECK(first_server_attempt(TlsMode::require) == ServerAttempt::tls_required);
    CHECK(first_server_attempt(TlsMode::verify_ca) == ServerAttempt::tls_required);
    CHECK(first_server_attempt(TlsMode::verify_full) == ServerAttempt::tls_required);
}

TEST_CASE("the answer to SSLRequest") {
    CHECK(on_server_ssl_answer(ServerAttempt::tls_preferred, 'S') == SslAnswerAction::handshake);
    CHECK(on_server_ssl_answer(ServerAttempt::tls_required, 'S') == SslAnswerAction::handshake);
    CHECK(on_server_ssl_answer(ServerAttempt::tls_preferred, 'N') ==
          SslAnswerAction::continue_plain);
    CHECK(on_server_ssl_answer(ServerAttempt::tls_required, 'N') ==
          SslAnswerAction::fail_unsupported);
    CHECK(on_server_ssl_answer(ServerAttempt::tls_required, 'E') ==
          SslAnswerAction::fail_malformed);
    CHECK(on_server_ssl_answer(ServerAttempt::tls_preferred, 'x') ==
          SslAnswerAction::fail_malformed);
}

TEST_CASE("only allow retries, only with TLS, only after a plain 28000") {
    CHECK(next_server_attempt(TlsMode::allow, ServerAttempt::plain, "28000") ==
          ServerAttempt::tls_required);
    CHECK_FALSE(next_server_attempt(TlsMode::allow, ServerAttempt::plain, "28P01"));
    CHECK_FALSE(next_server_attempt(TlsMode::allow, ServerAttempt::tls_required, "28000"));
    for (auto mode : {TlsMode::disable, TlsMode::prefer, TlsMode::require, TlsMode::verify_ca,
                      TlsMode::verify_full})
        for (auto attempt :
             {ServerAttempt::plain, ServerAttempt::tls_preferred, ServerAttempt::tls_required})
            CHECK_FALSE(next_server_attempt(mode, attempt, "28000"));
}
