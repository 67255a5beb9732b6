// Tests for auth/scram_error: every code has a SQLSTATE in the documented class and a name.
#include "auth/scram_error.hpp"

#include <doctest/doctest.h>

using namespace pgfront::auth;

TEST_CASE("SQLSTATE of every ScramErrc") {
    CHECK(sqlstate(ScramErrc::invalid_proof) == "28P01");
    CHECK(sqlstate(ScramErrc::unsupported_feature) == "0A000");
    for (const auto code : {ScramErrc::malformed_message, ScramErrc::channel_binding_unsupported,
                            ScramErrc::channel_binding_mismatch, ScramErrc::nonce_mismatch,
                            ScramErrc::out_of_order}) {
        CHECK(sqlstate(code) == "08P01");
    }
    for (const auto code : {ScramErrc::server_malformed_message, ScramErrc::server_nonce_mismatch,
                            ScramErrc::server_secret_mismatch, ScramErrc::server_error,
                            ScramErrc::server_signature_mismatch}) {
        CHECK(sqlstate(code) == "08006");
        CHECK(to_string(code).starts_with("server_"));
    }
    CHECK(to_string(ScramErrc::nonce_mismatch) == "nonce_mismatch");
}
