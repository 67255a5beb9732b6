// Tests for auth/scram_secret: parsing and formatting, derivation checked against secrets
// captured from a real PostgreSQL 15 (initdb'ed in /tmp, CREATE ROLE ... PASSWORD, then
// SELECT rolpassword FROM pg_authid), mock secrets, and cleartext verification.
#include "auth/scram_secret.hpp"

#include <doctest/doctest.h>

#include <string>

#include "auth/base64.hpp"
#include "test_support.hpp"

using namespace pgfront::auth;
using namespace pgfront::auth::test;

namespace {

// PostgreSQL 15.x, SET password_encryption = 'scram-sha-256'; CREATE ROLE x PASSWORD 'apppass'
constexpr std::string_view kPg15AppPass =
    "SCRAM-SHA-256$4096:Ox8JkhsdZreLsOhTh9eWew==$l+De3gny99IKxoOjFFtjV4J8nORQ0HiuS3dVUb5KSwo=:"
    "HgPieugooiWbdA2Te+AAQ234Be2xCG/PihQL4OcpC2o=";
// CREATE ROLE uni PASSWORD 'pässwörd' (UTF-8, precomposed: SASLprep leaves it unchanged)
constexpr std::string_view kPg15Umlauts =
    "SCRAM-SHA-256$4096:J97E0fu69jZ+1en9QINw/g==$TICYEQe8rNa0REUk4b5Bhul2JQnRbC1sJF0P4FxFdZs=:"
    "rmq5/L8oi1KSK0PmiKr3X48D8cQNqjdYuLOOjz9I+9g=";

}  // namespace

TEST_CASE("a secret captured from PostgreSQL 15 parses and formats back identically") {
    const auto secret = ScramSecret::parse(kPg15AppPass);
    REQUIRE(secret);
    CHECK(secret->iterations == 4096);
    CHECK(secret->salt.size() == 16);
    CHECK(base64_encode(secret->salt) == "Ox8JkhsdZreLsOhTh9eWew==");
    CHECK(secret->to_string() == kPg15AppPass);
}

TEST_CASE("deriving from 'apppass' with PostgreSQL's salt gives PostgreSQL's keys") {
    const auto stored = ScramSecret::parse(kPg15AppPass);
    REQUIRE(stored);
    const ScramSecret derived = ScramSecret::derive("apppass", stored->salt, stored->iterations);
    CHECK(derived.stored_key == stored->stored_key);
    CHECK(derived.server_key == stored->server_key);
    CHECK(derived == stored.value());
    CHECK(derived.to_string() == kPg15AppPass);
}

TEST_CASE("a non-ASCII password hashes as PostgreSQL hashes it") {
    const auto stored = ScramSecret::parse(kPg15Umlauts);
    REQUIRE(stored);
    CHECK(stored->verify_password("p\xC3\xA4ssw\xC3\xB6rd"));
    CHECK_FALSE(stored->verify_password("passwort"));
}

TEST_CASE("verify_password: right and wrong cleartext") {
    const auto stored = ScramSecret::parse(kPg15AppPass);
    REQUIRE(stored);
    CHECK(stored->verify_password("apppass"));
    CHECK_FALSE(stored->verify_password("apppasS"));
    CHECK_FALSE(stored->verify_password(""));
}

TEST_CASE("RFC 7677's salt and password give the keys of its example") {
    const auto salt = base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    REQUIRE(salt);
    const ScramSecret secret = ScramSecret::derive("pencil", *salt, 4096);
    CHECK(
        secret.to_string() ==
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=");
    const ScramKeys keys = secret.keys_for_password("pencil");
    CHECK(scram_stored_key(keys.client_key) == secret.stored_key);
    CHECK(keys.server_key == secret.server_key);
    CHECK(keys.salt == secret.salt);
    CHECK(keys.iterations == 4096);
}

TEST_CASE("generate draws a 16-byte salt from the random source") {
    CountingRandom random(0);
    const ScramSecret secret = ScramSecret::generate("apppass", random);
    CHECK(secret.iterations == kScramDefaultIterations);
    CHECK(hex(secret.salt) == "000102030405060708090a0b0c0d0e0f");
    CHECK(secret.verify_password("apppass"));
}

TEST_CASE("mock secrets: stable per user and key, different across users, never verify") {
    const auto key = bytes_of("process-mock-key");
    const ScramSecret a1 = ScramSecret::mock("alice", key);
    const ScramSecret a2 = ScramSecret::mock("alice", key);
    const ScramSecret b = ScramSecret::mock("bob", key);
    CHECK(a1.salt == a2.salt);
    CHECK(a1.salt != b.salt);
    CHECK(a1.salt.size() == 16);
    CHECK(a1.iterations == 4096);
    CHECK(ScramSecret::mock("alice", bytes_of("other-key")).salt != a1.salt);
    CHECK_FALSE(a1.verify_password(""));
    CHECK_FALSE(a1.verify_password("alice"));
}

TEST_CASE("malformed secrets are rejected with the part that is wrong") {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"md5a5549a09c79014caa6d76761bcbe56c3", "does not start"},
        {"SCRAM-SHA-256$", "expected <iterations>"},
        {"SCRAM-SHA-256$4096$a:b", "expected <iterations>:<salt>"},
        {"SCRAM-SHA-256$0:Ox8JkhsdZreLsOhTh9eWew==$l+De3gny99IKxoOjFFtjV4J8nORQ0HiuS3dVUb5KSwo=:"
         "HgPieugooiWbdA2Te+AAQ234Be2xCG/PihQL4OcpC2o=",
         "iteration"},
        {"SCRAM-SHA-256$-1:Ox8JkhsdZreLsOhTh9eWew==$x:y", "iteration"},
        {"SCRAM-SHA-256$4096x:Ox8JkhsdZreLsOhTh9eWew==$x:y", "iteration"},
        {"SCRAM-SHA-256$99999999999:Ox8JkhsdZreLsOhTh9eWew==$x:y", "iteration"},
        {"SCRAM-SHA-256$4096:$x:y", "salt"},
        {"SCRAM-SHA-256$4096:not base64$x:y", "salt"},
        {"SCRAM-SHA-256$4096:Ox8JkhsdZreLsOhTh9eWew==$l+De3gny99IKxoOjFFtjV4J8nORQ0HiuS3dVUb5KSwo=",
         "expected <StoredKey>:<ServerKey>"},
        {"SCRAM-SHA-256$4096:Ox8JkhsdZreLsOhTh9eWew==$Zm9v:HgPieugooiWbdA2Te+AAQ234Be2xCG/"
         "PihQL4OcpC2o=",
         "StoredKey"},
        {"SCRAM-SHA-256$4096:Ox8JkhsdZreLsOhTh9eWew==$l+De3gny99IKxoOjFFtjV4J8nORQ0HiuS3dVUb5KSwo=:"
         "HgPieugooiWbdA2Te+AAQ234Be2xCG/PihQL4OcpC2o=:extra",
         "ServerKey"},
    };
    for (const auto& [text, why] : cases) {
        CAPTURE(text);
        const auto parsed = ScramSecret::parse(text);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().find(why) != std::string::npos);
    }
}
