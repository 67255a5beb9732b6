// Tests for protocol/authentication and the authentication writers: exact bytes of every
// request, SASL lists, and the client's 'p' messages.
#include "protocol/authentication.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "protocol/message_writer.hpp"
#include "test_bytes.hpp"

using namespace pgfront::protocol;
using namespace pgfront::protocol::test;
using namespace std::string_view_literals;

namespace {

Bytes payload(const ByteBuffer& message) {
    return Bytes(message).subspan(5);
}

}  // namespace

TEST_CASE("AuthenticationOk and AuthenticationCleartextPassword") {
    ByteBuffer out;
    write_authentication_ok(out);
    CHECK(dump(out) == "52 00 00 00 08 00 00 00 00");
    auto r = AuthenticationRequest::parse(payload(out));
    REQUIRE(r);
    CHECK(r->code == AuthCode::ok);
    CHECK(r->data.empty());

    out.clear();
    write_authentication_cleartext_password(out);
    CHECK(dump(out) == "52 00 00 00 08 00 00 00 03");
    r = AuthenticationRequest::parse(payload(out));
    REQUIRE(r);
    CHECK(r->code == AuthCode::cleartext_password);
}

TEST_CASE("AuthenticationMD5Password carries a 4-byte salt") {
    ByteBuffer out;
    const std::array<std::byte, 4> salt{std::byte{0x01}, std::byte{0x02}, std::byte{0xfe},
                                        std::byte{0xff}};
    write_authentication_md5_password(out, salt);
    CHECK(dump(out) == "52 00 00 00 0c 00 00 00 05 01 02 fe ff");
    const auto r = AuthenticationRequest::parse(payload(out));
    REQUIRE(r);
    CHECK(r->code == AuthCode::md5_password);
    CHECK(dump(r->md5_salt()) == "01 02 fe ff");
    CHECK_FALSE(AuthenticationRequest::parse(hex("00 00 00 05 01 02 03")));
    CHECK_FALSE(AuthenticationRequest::parse(hex("00 00 00 05 01 02 03 04 05")));
}

TEST_CASE("AuthenticationSASL lists mechanisms") {
    ByteBuffer out;
    write_authentication_sasl(out, {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"});
    CHECK(dump(out) == dump(frame('R', cat({hex("00 00 00 0a"),
                                            raw("SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0"sv)}))));
    const auto r = AuthenticationRequest::parse(payload(out));
    REQUIRE(r);
    CHECK(r->code == AuthCode::sasl);
    std::vector<std::string_view> names(r->sasl_mechanisms().begin(), r->sasl_mechanisms().end());
    CHECK(names == std::vector<std::string_view>{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"});
    CHECK(r->md5_salt().empty());

    const auto sasl = [](std::string_view list) {
        return AuthenticationRequest::parse(cat({hex("00 00 00 0a"), raw(list)}));
    };
    CHECK(sasl("SCRAM-SHA-256\0\0"sv));
    CHECK_FALSE(sasl("SCRAM-SHA-256\0"sv));     // no list terminator
    CHECK_FALSE(sasl("SCRAM-SHA-256"sv));       // unterminated name
    CHECK_FALSE(sasl("\0"sv));                  // no mechanism
    CHECK_FALSE(sasl("SCRAM-SHA-256\0\0x"sv));  // trailing bytes
}

TEST_CASE("AuthenticationSASLContinue and SASLFinal carry opaque data") {
    ByteBuffer out;
    write_authentication_sasl_continue(out, as_bytes("r=abc,s=salt,i=4096"));
    CHECK(dump(out) == dump(frame('R', cat({hex("00 00 00 0b"), raw("r=abc,s=salt,i=4096")}))));
    auto r = AuthenticationRequest::parse(payload(out));
    REQUIRE(r);
    CHECK(r->code == AuthCode::sasl_continue);
    CHECK(as_text(r->data) == "r=abc,s=salt,i=4096");

    out.clear();
    write_authentication_sasl_final(out, as_bytes("v=xyz"));
    r = AuthenticationRequest::parse(payload(out));
    REQUIRE(r);
    CHECK(r->code == AuthCode::sasl_final);
    CHECK(as_text(r->data) == "v=xyz");
}

TEST_CASE("AuthenticationRequest rejects unknown codes and stray bytes") {
    CHECK_FALSE(AuthenticationRequest::parse(hex("00 00 00 06")));  // SCM credentials: gone
    CHECK_FALSE(AuthenticationRequest::parse(hex("00 00 00 63")));
    CHECK_FALSE(AuthenticationRequest::parse(hex("ff ff ff ff")));
    CHECK_FALSE(AuthenticationRequest::parse(hex("00 00 00 00 00")));
    CHECK_FALSE(AuthenticationRequest::parse(hex("00 00 00")));
    CHECK(AuthenticationRequest::parse(hex("00 00 00 07"))->code == AuthCode::gss);
    CHECK(AuthenticationRequest::parse(hex("00 00 00 08 aa"))->code == AuthCode::gss_continue);
}

TEST_CASE("PasswordMessage") {
    ByteBuffer out;
    write_password_message(out, "md5a3556571e93b0d20722ba62be61e8c2d");
    CHECK(dump(out) == dump(frame('p', raw("md5a3556571e93b0d20722ba62be61e8c2d\0"sv))));
    const auto m = PasswordMessage::parse(payload(out));
    REQUIRE(m);
    CHECK(m->password == "md5a3556571e93b0d20722ba62be61e8c2d");
    CHECK_FALSE(PasswordMessage::parse(raw("secret")));
    CHECK_FALSE(PasswordMessage::parse(raw("secret\0x"sv)));
}

TEST_CASE("SASLInitialResponse with and without data") {
    ByteBuffer out;
    write_sasl_initial_response(out, "SCRAM-SHA-256", as_bytes("n,,n=,r=nonce"));
    CHECK(dump(out) == dump(frame('p', cat({raw("SCRAM-SHA-256\0"sv), hex("00 00 00 0d"),
                                            raw("n,,n=,r=nonce")}))));
    auto m = SaslInitialResponse::parse(payload(out));
    REQUIRE(m);
    CHECK(m->mechanism == "SCRAM-SHA-256");
    REQUIRE(m->initial_response);
    CHECK(as_text(*m->initial_response) == "n,,n=,r=nonce");

    out.clear();
    write_sasl_initial_response(out, "X", std::nullopt);
    CHECK(dump(out) == dump(frame('p', cat({raw("X\0"sv), hex("ff ff ff ff")}))));
    m = SaslInitialResponse::parse(payload(out));
    REQUIRE(m);
    CHECK_FALSE(m->initial_response);

    CHECK_FALSE(SaslInitialResponse::parse(cat({raw("X\0"sv), hex("00 00 00 05 61")})));
    CHECK_FALSE(SaslInitialResponse::parse(cat({raw("X\0"sv), hex("ff ff ff fe")})));
    CHECK_FALSE(SaslInitialResponse::parse(cat({raw("X\0"sv), hex("00 00 00 00 61")})));
    CHECK_FALSE(SaslInitialResponse::parse(raw("X\0"sv)));
}

TEST_CASE("SASLResponse is the whole payload") {
    ByteBuffer out;
    write_sasl_response(out, as_bytes("c=biws,r=nonce,p=proof"));
    CHECK(dump(out) == dump(frame('p', raw("c=biws,r=nonce,p=proof"))));
    CHECK(as_text(SaslResponse::parse(payload(out))->data) == "c=biws,r=nonce,p=proof");
}
