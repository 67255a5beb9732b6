// Tests for auth/stored_password: classification as PostgreSQL's get_password_type does it,
// and the `password` method's cleartext check against each kind.
#include "auth/stored_password.hpp"

#include <doctest/doctest.h>

#include <string>

#include "test_support.hpp"

using namespace pgfront::auth;

namespace {

constexpr std::string_view kPg15Scram =
    "SCRAM-SHA-256$4096:Ox8JkhsdZreLsOhTh9eWew==$l+De3gny99IKxoOjFFtjV4J8nORQ0HiuS3dVUb5KSwo=:"
    "HgPieugooiWbdA2Te+AAQ234Be2xCG/PihQL4OcpC2o=";
constexpr std::string_view kPg15Md5 = "md5a5549a09c79014caa6d76761bcbe56c3";  // appmd5/apppass

}  // namespace

TEST_CASE("classify: plain, md5, SCRAM") {
    auto s = StoredPassword::classify("apppass");
    CHECK(s.kind == PasswordKind::plain);
    CHECK(s.text == "apppass");
    CHECK_FALSE(s.scram);

    s = StoredPassword::classify(std::string(kPg15Md5));
    CHECK(s.kind == PasswordKind::md5);

    s = StoredPassword::classify(std::string(kPg15Scram));
    CHECK(s.kind == PasswordKind::scram_sha_256);
    REQUIRE(s.scram);
    CHECK(s.scram->iterations == 4096);
    CHECK(s.text == kPg15Scram);
}

TEST_CASE("classify: near misses are plaintext, as in PostgreSQL") {
    CHECK(StoredPassword::classify("md5").kind == PasswordKind::plain);
    CHECK(StoredPassword::classify("MD5a5549a09c79014caa6d76761bcbe56c3").kind ==
          PasswordKind::plain);
    CHECK(StoredPassword::classify("SCRAM-SHA-256$4096:bad").kind == PasswordKind::plain);
    CHECK(StoredPassword::classify("").kind == PasswordKind::plain);
}

TEST_CASE("to_string(PasswordKind)") {
    CHECK(to_string(PasswordKind::plain) == "plain");
    CHECK(to_string(PasswordKind::md5) == "md5");
    CHECK(to_string(PasswordKind::scram_sha_256) == "scram-sha-256");
}

TEST_CASE("cleartext verification against every kind") {
    const auto plain = StoredPassword::classify("apppass");
    const auto md5 = StoredPassword::classify(std::string(kPg15Md5));
    const auto scram = StoredPassword::classify(std::string(kPg15Scram));

    CHECK(verify_cleartext_password(plain, "anyone", "apppass"));
    CHECK_FALSE(verify_cleartext_password(plain, "anyone", "apppas"));
    CHECK_FALSE(verify_cleartext_password(plain, "anyone", "apppass "));

    CHECK(verify_cleartext_password(md5, "appmd5", "apppass"));
    CHECK_FALSE(verify_cleartext_password(md5, "x", "apppass"));  // md5 is salted with the user
    CHECK_FALSE(verify_cleartext_password(md5, "appmd5", "wrong"));

    CHECK(verify_cleartext_password(scram, "x", "apppass"));
    CHECK_FALSE(verify_cleartext_password(scram, "x", "wrong"));
}

TEST_CASE("an empty password never verifies") {
    CHECK_FALSE(verify_cleartext_password(StoredPassword::classify(""), "u", ""));
}

TEST_CASE("a plaintext password gets a derived SCRAM secret once; other kinds are left as stored") {
    test::CountingRandom random;
    const auto plain = with_derived_secret(StoredPassword::classify("plain secret"), random);
    CHECK(plain.kind == PasswordKind::plain);
    CHECK(plain.text == "plain secret");  // still what logs pgfront in to the server
    REQUIRE(plain.scram);
    CHECK(plain.scram->iterations == kScramDefaultIterations);
    CHECK(plain.scram->verify_password("plain secret"));
    CHECK_FALSE(plain.scram->verify_password("plain secreT"));
    CHECK(verify_cleartext_password(plain, "admin", "plain secret"));

    const auto again = with_derived_secret(plain, random);  // already derived: kept, salt and all
    CHECK(again.scram->salt == plain.scram->salt);

    const auto scram = StoredPassword::classify(std::string(kPg15Scram));
    const auto kept = with_derived_secret(scram, random);
    CHECK(kept.scram->salt == scram.scram->salt);
    CHECK_FALSE(with_derived_secret(StoredPassword::classify(std::string(kPg15Md5)), random).scram);
}
