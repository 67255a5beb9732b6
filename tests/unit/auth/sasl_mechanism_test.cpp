// Tests for auth/sasl_mechanism: what pgfront offers and accepts from clients, and which
// mechanism it picks from a server's list.
#include "auth/sasl_mechanism.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pgfront::auth;
using namespace std::string_view_literals;

TEST_CASE("pgfront offers SCRAM-SHA-256 only and accepts only that") {
    REQUIRE(offered_sasl_mechanisms().size() == 1);
    CHECK(offered_sasl_mechanisms()[0] == "SCRAM-SHA-256");
    CHECK(is_offered_sasl_mechanism("SCRAM-SHA-256"));
    CHECK_FALSE(is_offered_sasl_mechanism("SCRAM-SHA-256-PLUS"));
    CHECK_FALSE(is_offered_sasl_mechanism("scram-sha-256"));
    CHECK_FALSE(is_offered_sasl_mechanism(""));
}

TEST_CASE("choosing from a server's list") {
    const std::vector<std::string_view> pg_with_tls{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"};
    CHECK(choose_sasl_mechanism(pg_with_tls) == "SCRAM-SHA-256");
    const std::vector<std::string_view> plus_only{"SCRAM-SHA-256-PLUS"};
    CHECK_FALSE(choose_sasl_mechanism(plus_only));
    CHECK_FALSE(choose_sasl_mechanism({}));
}

TEST_CASE("choosing from AuthenticationSASL's NUL-separated list") {
    CHECK(choose_sasl_mechanism_from_list("SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0"sv) ==
          "SCRAM-SHA-256");
    CHECK(choose_sasl_mechanism_from_list("SCRAM-SHA-256\0\0"sv) == "SCRAM-SHA-256");
    CHECK(choose_sasl_mechanism_from_list("SCRAM-SHA-256"sv) == "SCRAM-SHA-256");
    CHECK_FALSE(choose_sasl_mechanism_from_list("SCRAM-SHA-256-PLUS\0"sv));
    CHECK_FALSE(choose_sasl_mechanism_from_list("SCRAM-SHA-2\0"sv));
    CHECK_FALSE(choose_sasl_mechanism_from_list(""sv));
}
