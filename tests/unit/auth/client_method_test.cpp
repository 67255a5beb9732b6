// Tests for auth/client_method: the whole method x stored-password table.
#include "auth/client_method.hpp"

#include <doctest/doctest.h>

using namespace pgfront::auth;

TEST_CASE("choose_client_method: the full table") {
    using K = PasswordKind;
    using M = ClientMethod;
    struct Row {
        HbaMethod hba;
        std::optional<PasswordKind> stored;
        ClientMethod method;
        bool doomed;
    };
    const Row table[] = {
        {HbaMethod::trust, K::plain, M::trust, false},
        {HbaMethod::trust, K::md5, M::trust, false},
        {HbaMethod::trust, std::nullopt, M::trust, false},
        {HbaMethod::reject, K::scram_sha_256, M::reject, false},
        {HbaMethod::reject, std::nullopt, M::reject, false},
        {HbaMethod::password, K::plain, M::cleartext_password, false},
        {HbaMethod::password, K::md5, M::cleartext_password, false},
        {HbaMethod::password, K::scram_sha_256, M::cleartext_password, false},
        {HbaMethod::password, std::nullopt, M::cleartext_password, true},
        {HbaMethod::md5, K::plain, M::md5, false},
        {HbaMethod::md5, K::md5, M::md5, false},
        {HbaMethod::md5, K::scram_sha_256, M::scram_sha_256, false},  // as PostgreSQL
        {HbaMethod::md5, std::nullopt, M::scram_sha_256, true},
        {HbaMethod::scram_sha_256, K::plain, M::scram_sha_256, false},
        {HbaMethod::scram_sha_256, K::md5, M::scram_sha_256, true},  // cannot succeed
        {HbaMethod::scram_sha_256, K::scram_sha_256, M::scram_sha_256, false},
        {HbaMethod::scram_sha_256, std::nullopt, M::scram_sha_256, true},
    };
    for (const Row& row : table) {
        CAPTURE(to_string(row.hba));
        CAPTURE(row.stored ? to_string(*row.stored) : "unknown user");
        const MethodChoice c = choose_client_method(row.hba, row.stored);
        CHECK(c.method == row.method);
        CHECK(c.doomed == row.doomed);
        CHECK(c.log_detail.empty() == !row.doomed);
    }
}

TEST_CASE("the md5-only user under scram-sha-256 says why in the log detail") {
    const MethodChoice c = choose_client_method(HbaMethod::scram_sha_256, PasswordKind::md5);
    CHECK(c.log_detail.find("SCRAM secret") != std::string_view::npos);
    CHECK(to_string(c.method) == "scram-sha-256");
}
