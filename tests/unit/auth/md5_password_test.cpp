// Tests for auth/md5_password: a hash captured from PostgreSQL 15 (password_encryption = md5,
// CREATE ROLE appmd5 PASSWORD 'apppass'), responses to salts, and verification.
#include "auth/md5_password.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace pgfront::auth;

namespace {

constexpr std::string_view kPg15AppMd5 = "md5a5549a09c79014caa6d76761bcbe56c3";  // appmd5/apppass
constexpr Md5Salt kSalt{0x01, 0x02, 0x03, 0x04};

}  // namespace

TEST_CASE("the hash PostgreSQL stored is md5(password + user)") {
    CHECK(md5_password_hash("apppass", "appmd5") == kPg15AppMd5);
    CHECK(is_md5_hash(kPg15AppMd5));
}

TEST_CASE("is_md5_hash follows PostgreSQL's classification") {
    CHECK_FALSE(is_md5_hash("md5"));
    CHECK_FALSE(is_md5_hash("md5a5549a09c79014caa6d76761bcbe56c"));    // 31 digits
    CHECK_FALSE(is_md5_hash("md5a5549a09c79014caa6d76761bcbe56c33"));  // 33 digits
    CHECK_FALSE(is_md5_hash("md5A5549A09C79014CAA6D76761BCBE56C3"));   // uppercase
    CHECK_FALSE(is_md5_hash("MD5a5549a09c79014caa6d76761bcbe56c3"));
    CHECK_FALSE(is_md5_hash("md5g5549a09c79014caa6d76761bcbe56c3"));
}

TEST_CASE("response from the password equals the response from the stored hash") {
    const std::string from_password = md5_response_from_password("apppass", "appmd5", kSalt);
    const auto from_hash = md5_response_from_hash(kPg15AppMd5, kSalt);
    REQUIRE(from_hash);
    CHECK(*from_hash == from_password);
    // md5("a5549a09c79014caa6d76761bcbe56c3" + "\x01\x02\x03\x04"), computed independently.
    CHECK(from_password == "md5fb6f251ee390c5e499bc7c48035a4e8d");
    CHECK_FALSE(md5_response_from_hash("apppass", kSalt));
}

TEST_CASE("a known response: user 'postgres', password 'secret', salt 2a 2b 2c 2d") {
    const Md5Salt salt{0x2a, 0x2b, 0x2c, 0x2d};
    CHECK(md5_password_hash("secret", "postgres") == "md553f48b7c4b76a86ce72276c5755f217d");
    CHECK(md5_response_from_password("secret", "postgres", salt) ==
          "md5153a07d47ca1509f14469e40f2d01467");
}

TEST_CASE("verification against a stored hash and against a plaintext password") {
    const std::string response = md5_response_from_password("apppass", "appmd5", kSalt);
    CHECK(md5_verify_response(response, kPg15AppMd5, kSalt));
    CHECK(md5_verify_response_with_password(response, "apppass", "appmd5", kSalt));

    CHECK_FALSE(md5_verify_response(response, kPg15AppMd5, Md5Salt{0x01, 0x02, 0x03, 0x05}));
    CHECK_FALSE(md5_verify_response_with_password(response, "apppass", "other", kSalt));
    CHECK_FALSE(md5_verify_response_with_password(response, "wrong", "appmd5", kSalt));
    CHECK_FALSE(md5_verify_response(response.substr(0, 34), kPg15AppMd5, kSalt));
    CHECK_FALSE(md5_verify_response("", kPg15AppMd5, kSalt));
    CHECK_FALSE(md5_verify_response(response, "not-a-hash", kSalt));
    // The client must send the salted response, not the stored hash itself.
    CHECK_FALSE(md5_verify_response(kPg15AppMd5, kPg15AppMd5, kSalt));
}
