// Tests for auth/scram_messages: the RFC 5802 §7 grammar of all four messages, what each
// parser extracts, and what it refuses.
#include "auth/scram_messages.hpp"

#include <doctest/doctest.h>

#include <string>

#include "auth/crypto.hpp"

using namespace pgfront::auth;

TEST_CASE("client-first-message: RFC 7677 example") {
    const auto m = parse_client_first_message("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    REQUIRE(m);
    CHECK(m->channel_binding == ChannelBindingFlag::not_supported);
    CHECK(m->gs2_header == "n,,");
    CHECK(m->bare == "n=user,r=rOprNGfwEbeRWgbNEkqO");
    CHECK(m->username == "user");
    CHECK(m->nonce == "rOprNGfwEbeRWgbNEkqO");
    CHECK_FALSE(m->has_authzid);
    CHECK_FALSE(m->has_mandatory_extension);
}

TEST_CASE("client-first-message: flags, authzid, m=, empty user, extensions") {
    auto m = parse_client_first_message("y,,n=,r=abc");
    REQUIRE(m);
    CHECK(m->channel_binding == ChannelBindingFlag::not_offered);
    CHECK(m->username.empty());
    CHECK(m->gs2_header == "y,,");

    m = parse_client_first_message("p=tls-server-end-point,,n=,r=abc");
    REQUIRE(m);
    CHECK(m->channel_binding == ChannelBindingFlag::required);
    CHECK(m->channel_binding_name == "tls-server-end-point");
    CHECK(m->gs2_header == "p=tls-server-end-point,,");

    m = parse_client_first_message("n,a=admin=2Cx,n=u=3Dv,r=abc");
    REQUIRE(m);
    CHECK(m->has_authzid);
    CHECK(m->authzid == "admin=2Cx");
    CHECK(m->username == "u=3Dv");
    CHECK(m->gs2_header == "n,a=admin=2Cx,");

    m = parse_client_first_message("n,,m=ext,n=,r=abc");
    REQUIRE(m);
    CHECK(m->has_mandatory_extension);
    CHECK(m->nonce == "abc");

    m = parse_client_first_message("n,,n=,r=abc,x=ignored,y=");
    REQUIRE(m);
    CHECK(m->bare == "n=,r=abc,x=ignored,y=");
}

TEST_CASE("client-first-message: malformed") {
    for (const std::string& bad : std::initializer_list<std::string>{
             std::string(""), std::string("n"), std::string("n,,"), std::string("n,,n=user"),
             std::string("x,,n=,r=abc"),      // unknown flag
             std::string("p,,n=,r=abc"),      // p without a name
             std::string("p=,,n=,r=abc"),     // empty cb-name
             std::string("p=a b,,n=,r=abc"),  // bad cb-name
             std::string("n,x=1,n=,r=abc"),   // not an authzid
             std::string("n,a=,n=,r=abc"),    // empty authzid
             std::string("n,,r=abc,n=user"),  // wrong order
             std::string("n,,n=,r="),         // empty nonce
             std::string("n,,n=,r=a\x7f"
                         "b"),                  // non-printable nonce
             std::string("n,,n=a=b,r=abc"),     // bad saslname escape
             std::string("n,,n=,r=abc,"),       // trailing comma
             std::string("n,,n=,r=abc,1=x"),    // bad extension
             std::string("n,,n=,r=abc\0", 12),  // NUL
         }) {
        CAPTURE(bad);
        CHECK_FALSE(parse_client_first_message(bad));
    }
}

TEST_CASE("client-final-message: RFC 7677 example") {
    const std::string text =
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const auto m = parse_client_final_message(text);
    REQUIRE(m);
    CHECK(m->channel_binding_text == "biws");
    CHECK(as_text(m->channel_binding) == "n,,");
    CHECK(m->nonce == "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    CHECK(m->without_proof == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    CHECK(m->proof.size() == 32);
}

TEST_CASE("client-final-message: extensions before the proof are part of without_proof") {
    const auto m = parse_client_final_message("c=biws,r=abc,x=1,p=AAAA");
    REQUIRE(m);
    CHECK(m->without_proof == "c=biws,r=abc,x=1");
    CHECK(m->proof.size() == 3);
}

TEST_CASE("client-final-message: malformed") {
    for (const std::string& bad : std::initializer_list<std::string>{
             std::string(""),
             std::string("c=biws"),
             std::string("c=biws,r=abc"),
             std::string("r=abc,c=biws,p=AAAA"),
             std::string("c=biws,r=abc,p=AAAA,x=1"),  // proof not last
             std::string("c=biws,r=abc,p=AAA"),       // proof not base64
             std::string("c=bi ws,r=abc,p=AAAA"),     // binding not base64
             std::string("c=biws,r=,p=AAAA"),
             std::string("c=biws,r=abc,1,p=AAAA"),  // bad extension
             std::string("c=biws,r=abc,p=AAAA\0", 20),
         }) {
        CAPTURE(bad);
        CHECK_FALSE(parse_client_final_message(bad));
    }
}

TEST_CASE("server-first-message: RFC 7677 example and variants") {
    auto m = parse_server_first_message(
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    REQUIRE(m);
    CHECK(m->nonce == "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    CHECK(m->salt.size() == 16);
    CHECK(m->iterations == 4096);
    CHECK_FALSE(m->has_mandatory_extension);

    m = parse_server_first_message("m=x,r=abc,s=AAAA,i=1,z=ext");
    REQUIRE(m);
    CHECK(m->has_mandatory_extension);
    CHECK(m->iterations == 1);
}

TEST_CASE("server-first-message: malformed") {
    for (const std::string& bad : std::initializer_list<std::string>{
             std::string(""),
             std::string("r=abc,s=AAAA"),
             std::string("r=abc,s=,i=4096"),    // empty salt
             std::string("r=abc,s=AA,i=4096"),  // salt not base64
             std::string("r=abc,s=AAAA,i=0"),
             std::string("r=abc,s=AAAA,i=-1"),
             std::string("r=abc,s=AAAA,i=04096"),  // posit-number has no leading zero
             std::string("r=abc,s=AAAA,i=4096x"),
             std::string("r=abc,s=AAAA,i=99999999999"),
             std::string("s=AAAA,r=abc,i=4096"),
             std::string("r=abc,s=AAAA,i=4096,"),
         }) {
        CAPTURE(bad);
        CHECK_FALSE(parse_server_first_message(bad));
    }
}

TEST_CASE("server-final-message: verifier, error, malformed") {
    auto m = parse_server_final_message("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    REQUIRE(m);
    CHECK_FALSE(m->is_error);
    CHECK(m->verifier.size() == 32);

    m = parse_server_final_message("e=invalid-proof");
    REQUIRE(m);
    CHECK(m->is_error);
    CHECK(m->error == "invalid-proof");

    for (const std::string& bad : {std::string(""), std::string("v=abc"), std::string("e="),
                                   std::string("x=1"), std::string("v=AAAA,")}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_server_final_message(bad));
    }
}

TEST_CASE("is_scram_printable") {
    CHECK(is_scram_printable("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"));
    CHECK_FALSE(is_scram_printable("a,b"));
    CHECK_FALSE(is_scram_printable("a b"));
    CHECK_FALSE(is_scram_printable("\xc3\xa4"));
}
