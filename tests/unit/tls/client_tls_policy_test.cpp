// The client leg's decisions as a table: tls.client.mode x what the client sends.
#include "tls/client_tls_policy.hpp"

#include <doctest/doctest.h>

using pgfront::conf::TlsMode;
using namespace pgfront::tls;

namespace {
constexpr TlsMode all_modes[] = {TlsMode::disable, TlsMode::allow,     TlsMode::prefer,
                                 TlsMode::require, TlsMode::verify_ca, TlsMode::verify_full};
}

TEST_CASE("SSLRequest: accepted whenever tls.client is on, in every pool mode") {
    for (auto mode : all_modes) {
        CAPTURE(mode);
        const auto pooled = answer_ssl_request(mode, false);
        const auto relayed = answer_ssl_request(mode, true);
        if (mode == TlsMode::disable) {
            CHECK(pooled == SslRequestAnswer::decline);
            CHECK(relayed ==
                  SslRequestAnswer::forward);  // HAProxy-like: TLS with PostgreSQL itself
        } else {
            CHECK(pooled == SslRequestAnswer::accept);
            CHECK(relayed == SslRequestAnswer::accept);
        }
    }
}

TEST_CASE("plain StartupMessage: refused with 28000 from require up") {
    struct Row {
        TlsMode mode;
        bool refused;
    };
    const Row rows[] = {
        {TlsMode::disable, false}, {TlsMode::allow, false},    {TlsMode::prefer, false},
        {TlsMode::require, true},  {TlsMode::verify_ca, true}, {TlsMode::verify_full, true},
    };
    for (const auto& row : rows) {
        CAPTURE(row.mode);
        const auto refusal = check_client_startup(row.mode, false, std::nullopt, "app");
        CHECK(refusal.has_value() == row.refused);
        if (refusal) {
            CHECK(refusal->sqlstate == "28000");
            CHECK(refusal->message.find("SSL required") != std::string::npos);
        }
    }
}

TEST_CASE("encrypted StartupMessage: every mode lets it on, verify-full checks the name") {
    for (auto mode : all_modes) {
        CAPTURE(mode);
        CHECK_FALSE(check_client_startup(mode, true, std::string_view("app"), "app"));
        const auto other = check_client_startup(mode, true, std::string_view("someone"), "app");
        const auto none = check_client_startup(mode, true, std::nullopt, "app");
        if (mode == TlsMode::verify_full) {
            REQUIRE(other);
            CHECK(other->sqlstate == "28000");
            CHECK(other->message.find("\"someone\"") != std::string::npos);
            CHECK(none);
        } else {
            CHECK_FALSE(other);
            CHECK_FALSE(none);
        }
    }
}
