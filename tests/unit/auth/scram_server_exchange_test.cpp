// Tests for auth/scram_server_exchange: RFC 7677's example from the server's side byte for
// byte, the recovered ClientKey, and each way a client's messages can be wrong.
#include "auth/scram_server_exchange.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "auth/base64.hpp"
#include "test_support.hpp"

using namespace pgfront::auth;
using namespace pgfront::auth::test;

namespace {

constexpr std::string_view kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kNonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view kProof = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramSecret rfc7677_secret() {
    const auto salt = base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    return ScramSecret::derive("pencil", *salt, 4096);
}

std::string client_final(std::string_view binding = "biws", std::string_view nonce = kNonce,
                         std::string_view proof = kProof) {
    return "c=" + std::string(binding) + ",r=" + std::string(nonce) + ",p=" + std::string(proof);
}

// Runs client-first (RFC 7677) and then `final_message`; returns the second step's result.
Result<std::string, ScramError> second_step(std::string_view final_message,
                                            std::string_view first = kClientFirst) {
    ScramServerExchange server(rfc7677_secret(), std::string(kServerNonce));
    auto r = server.step(first);
    REQUIRE(r);
    return server.step(final_message);
}

}  // namespace

TEST_CASE("RFC 7677 example exchange, server side, byte for byte") {
    ScramServerExchange server(rfc7677_secret(), std::string(kServerNonce));
    CHECK_FALSE(server.finished());

    auto first = server.step(kClientFirst);
    REQUIRE(first);
    CHECK(first.value() == kServerFirst);
    CHECK_FALSE(server.finished());

    auto final_message = server.step(client_final());
    REQUIRE(final_message);
    CHECK(final_message.value() == kServerFinal);
    CHECK(server.succeeded());
    CHECK(server.finished());

    // The ClientKey the proof revealed is the one "pencil" derives.
    const auto& keys = server.client_keys();
    REQUIRE(keys);
    const auto salt = base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    const ScramKeys expected = ScramKeys::derive("pencil", *salt, 4096);
    CHECK(keys->client_key == expected.client_key);
    CHECK(keys->server_key == expected.server_key);
    CHECK(keys->salt == *salt);
    CHECK(keys->iterations == 4096);
}

TEST_CASE("the user name in client-first-message is ignored") {
    ScramServerExchange server(rfc7677_secret(), std::string(kServerNonce));
    auto first = server.step("n,,n=someone-else,r=rOprNGfwEbeRWgbNEkqO");
    REQUIRE(first);
    CHECK(first.value() == kServerFirst);
}

TEST_CASE("a wrong proof is invalid_proof (28P01) and no keys are exposed") {
    ScramServerExchange server(rfc7677_secret(), std::string(kServerNonce));
    REQUIRE(server.step(kClientFirst));
    std::string proof(kProof);
    proof[0] = proof[0] == 'd' ? 'e' : 'd';
    const auto r = server.step(client_final("biws", kNonce, proof));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::invalid_proof);
    CHECK(sqlstate(r.error().code) == "28P01");
    CHECK(server.finished());
    CHECK_FALSE(server.succeeded());
    CHECK_FALSE(server.client_keys());
}

TEST_CASE("a proof made for another password is invalid_proof") {
    const auto salt = base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    ScramServerExchange server(ScramSecret::derive("other", *salt, 4096),
                               std::string(kServerNonce));
    REQUIRE(server.step(kClientFirst));
    const auto r = server.step(client_final());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::invalid_proof);
}

TEST_CASE("a tampered nonce is nonce_mismatch (08P01)") {
    std::string nonce(kNonce);
    nonce.back() = '1';
    auto r = second_step(client_final("biws", nonce));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::nonce_mismatch);
    CHECK(sqlstate(r.error().code) == "08P01");

    r = second_step(client_final("biws", "rOprNGfwEbeRWgbNEkqO"));  // client part only
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::nonce_mismatch);
}

TEST_CASE("channel binding attribute must match the gs2 header") {
    // "eSws" is "y,," but the client sent "n,,".
    auto r = second_step(client_final("eSws"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::channel_binding_mismatch);
    CHECK(sqlstate(r.error().code) == "08P01");

    // And the other way round.
    r = second_step(client_final("biws"), "y,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::channel_binding_mismatch);

    r = second_step(client_final("cD10bHMtdW5pcXVlLCw="));  // "p=tls-unique,,"
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::channel_binding_mismatch);
}

TEST_CASE("gs2 flag 'y' is accepted: we did not offer SCRAM-SHA-256-PLUS") {
    // The proof covers AuthMessage, which contains the bare message and "c=eSws", so a 'y'
    // exchange needs its own proof: compute it as a client would.
    const auto salt = base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    const ScramKeys keys = ScramKeys::derive("pencil", *salt, 4096);
    ScramServerExchange server(rfc7677_secret(), std::string(kServerNonce));
    auto first = server.step("y,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    REQUIRE(first);
    const std::string without_proof = "c=eSws,r=" + std::string(kNonce);
    const std::string auth_message =
        "n=user,r=rOprNGfwEbeRWgbNEkqO," + first.value() + "," + without_proof;
    const ScramKey proof = scram_xor(
        keys.client_key, scram_signature(scram_stored_key(keys.client_key), auth_message));
    auto final_message = server.step(without_proof + ",p=" + base64_encode(proof));
    REQUIRE(final_message);
    CHECK(server.succeeded());
}

TEST_CASE("gs2 flag 'p' is refused: channel binding not supported") {
    ScramServerExchange server(rfc7677_secret(), std::string(kServerNonce));
    const auto r = server.step("p=tls-server-end-point,,n=,r=rOprNGfwEbeRWgbNEkqO");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::channel_binding_unsupported);
    CHECK(r.error().detail == "channel binding not supported");
    CHECK(sqlstate(r.error().code) == "08P01");
    CHECK(server.finished());
}

TEST_CASE("authzid and mandatory extensions are unsupported features (0A000)") {
    for (const std::string_view first : {"n,a=admin,n=,r=abc", "n,,m=foo,n=,r=abc"}) {
        ScramServerExchange server(rfc7677_secret(), std::string(kServerNonce));
        const auto r = server.step(first);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ScramErrc::unsupported_feature);
        CHECK(sqlstate(r.error().code) == "0A000");
    }
}

TEST_CASE("malformed messages are malformed_message (08P01)") {
    {
        ScramServerExchange server(rfc7677_secret(), std::string(kServerNonce));
        const auto r = server.step("garbage");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ScramErrc::malformed_message);
        CHECK(sqlstate(r.error().code) == "08P01");
    }
    for (const std::string& final_message : {
             std::string("garbage"),
             client_final("biws", kNonce, "AAAA"),  // proof of 3 bytes
             client_final() + ",x=1",               // garbage after the proof
             std::string("c=biws,r=") + std::string(kNonce),
         }) {
        CAPTURE(final_message);
        const auto r = second_step(final_message);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ScramErrc::malformed_message);
    }
}

TEST_CASE("messages after the end are out_of_order") {
    ScramServerExchange server(rfc7677_secret(), std::string(kServerNonce));
    REQUIRE(server.step(kClientFirst));
    REQUIRE(server.step(client_final()));
    auto r = server.step(client_final());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::out_of_order);
    CHECK(server.finished());

    ScramServerExchange failed(rfc7677_secret(), std::string(kServerNonce));
    REQUIRE_FALSE(failed.step("garbage"));
    r = failed.step(kClientFirst);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::out_of_order);
}

TEST_CASE("a mock exchange looks real and fails at the proof") {
    const auto key = bytes_of("mock-key");
    ScramServerExchange server =
        ScramServerExchange::mock("nobody", key, std::string(kServerNonce));
    auto first = server.step(kClientFirst);
    REQUIRE(first);
    const std::string salt = base64_encode(ScramSecret::mock("nobody", key).salt);
    CHECK(first.value() == "r=" + std::string(kNonce) + ",s=" + salt + ",i=4096");
    const auto r = server.step(client_final());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::invalid_proof);
    CHECK_FALSE(server.client_keys());
}

TEST_CASE("a mock exchange fails even against a proof computed for its own salt") {
    const auto key = bytes_of("mock-key");
    const ScramSecret mock_secret = ScramSecret::mock("nobody", key);
    // Give the mock the keys of a real password with the mock salt: still doomed.
    ScramServerExchange server = ScramServerExchange::mock("nobody", key, "srv");
    auto first = server.step("n,,n=,r=cli");
    REQUIRE(first);
    const ScramKeys keys = mock_secret.keys_for_password("guess");
    const std::string without_proof = "c=biws,r=clisrv";
    const std::string auth_message = "n=,r=cli," + first.value() + "," + without_proof;
    const ScramKey proof = scram_xor(
        keys.client_key, scram_signature(scram_stored_key(keys.client_key), auth_message));
    const auto r = server.step(without_proof + ",p=" + base64_encode(proof));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::invalid_proof);
}

TEST_CASE("from_password derives with a random salt and nonce") {
    CountingRandom random(0x40);
    ScramServerExchange server = ScramServerExchange::from_password("pencil", random);
    auto first = server.step("n,,n=,r=abc");
    REQUIRE(first);
    // Salt: 16 bytes 0x40..0x4f; nonce: base64 of the next 18 bytes 0x50..0x61.
    CHECK(first.value() == "r=abcUFFSU1RVVldYWVpbXF1eX2Bh,s=QEFCQ0RFRkdISUpLTE1OTw==,i=4096");
}

TEST_CASE("a bad server nonce is a programming error") {
    CHECK_THROWS_AS(ScramServerExchange(rfc7677_secret(), ""), std::invalid_argument);
    CHECK_THROWS_AS(ScramServerExchange(rfc7677_secret(), "a,b"), std::invalid_argument);
}
