// Tests for auth/scram_client_exchange: RFC 7677's example from the client's side byte for
// byte, login with keys instead of the password, and each way a server's messages can be
// wrong.
#include "auth/scram_client_exchange.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "auth/base64.hpp"
#include "test_support.hpp"

using namespace pgfront::auth;

namespace {

constexpr std::string_view kClientNonce = "rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramKeys rfc7677_keys() {
    const auto salt = base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    return ScramKeys::derive("pencil", *salt, 4096);
}

}  // namespace

TEST_CASE("RFC 7677 example exchange, client side, byte for byte") {
    auto client = ScramClientExchange::with_password("pencil", std::string(kClientNonce), "user");
    CHECK(client.first() == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    auto final_message = client.step(kServerFirst);
    REQUIRE(final_message);
    CHECK(final_message.value() == kClientFinal);
    CHECK_FALSE(client.succeeded());
    CHECK_FALSE(client.verify(kServerFinal));
    CHECK(client.succeeded());
}

TEST_CASE("the same exchange from ScramKeys, with and without the known salt") {
    ScramKeys keys = rfc7677_keys();
    auto client = ScramClientExchange::with_keys(keys, std::string(kClientNonce), "user");
    auto final_message = client.step(kServerFirst);
    REQUIRE(final_message);
    CHECK(final_message.value() == kClientFinal);
    CHECK_FALSE(client.verify(kServerFinal));

    keys.salt.clear();
    keys.iterations = 0;
    auto unchecked = ScramClientExchange::with_keys(keys, std::string(kClientNonce), "user");
    final_message = unchecked.step(kServerFirst);
    REQUIRE(final_message);
    CHECK(final_message.value() == kClientFinal);
}

TEST_CASE("default client-first-message is libpq's: empty user name") {
    auto client = ScramClientExchange::with_password("pencil", "abc");
    CHECK(client.first() == "n,,n=,r=abc");
    auto named = ScramClientExchange::with_password("pencil", "abc", "a,b=c");
    CHECK(named.first() == "n,,n=a=2Cb=3Dc,r=abc");
}

TEST_CASE("keys for another salt or iteration count: server_secret_mismatch, no proof sent") {
    ScramKeys keys = rfc7677_keys();
    keys.salt[0] ^= 1;
    auto client = ScramClientExchange::with_keys(keys, std::string(kClientNonce));
    auto r = client.step(kServerFirst);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::server_secret_mismatch);
    CHECK(sqlstate(r.error().code) == "08006");

    keys = rfc7677_keys();
    keys.iterations = 10000;
    auto other = ScramClientExchange::with_keys(keys, std::string(kClientNonce));
    r = other.step(kServerFirst);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::server_secret_mismatch);
}

TEST_CASE("a wrong server signature means the server does not know the secret") {
    auto client = ScramClientExchange::with_password("pencil", std::string(kClientNonce), "user");
    REQUIRE(client.step(kServerFirst));
    std::string forged(kServerFinal);
    forged[2] = forged[2] == '6' ? '7' : '6';
    const auto error = client.verify(forged);
    REQUIRE(error);
    CHECK(error->code == ScramErrc::server_signature_mismatch);
    CHECK_FALSE(client.succeeded());
}

TEST_CASE("the signature of a different password does not verify") {
    auto client = ScramClientExchange::with_password("pencil2", std::string(kClientNonce), "user");
    REQUIRE(client.step(kServerFirst));
    const auto error = client.verify(kServerFinal);
    REQUIRE(error);
    CHECK(error->code == ScramErrc::server_signature_mismatch);
}

TEST_CASE("server nonce must extend ours") {
    for (const std::string_view first : {
             "r=XXprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i="
             "4096",
             "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",  // nothing appended
             "r=rOprNGfw,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
         }) {
        auto client = ScramClientExchange::with_password("pencil", std::string(kClientNonce));
        const auto r = client.step(first);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ScramErrc::server_nonce_mismatch);
    }
}

TEST_CASE("malformed server messages and server errors") {
    {
        auto client = ScramClientExchange::with_password("pencil", std::string(kClientNonce));
        const auto r = client.step("r=abc");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ScramErrc::server_malformed_message);
    }
    {
        auto client = ScramClientExchange::with_password("pencil", std::string(kClientNonce));
        const auto r = client.step("m=x," + std::string(kServerFirst));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ScramErrc::server_malformed_message);
    }
    {
        auto client = ScramClientExchange::with_password("pencil", std::string(kClientNonce));
        REQUIRE(client.step(kServerFirst));
        auto error = client.verify("v=notbase64");
        REQUIRE(error);
        CHECK(error->code == ScramErrc::server_malformed_message);
    }
    {
        auto client = ScramClientExchange::with_password("pencil", std::string(kClientNonce));
        REQUIRE(client.step(kServerFirst));
        auto error = client.verify("e=invalid-proof");
        REQUIRE(error);
        CHECK(error->code == ScramErrc::server_error);
        CHECK(error->detail.find("invalid-proof") != std::string::npos);
    }
}

TEST_CASE("calls out of order") {
    auto client = ScramClientExchange::with_password("pencil", std::string(kClientNonce));
    auto error = client.verify(kServerFinal);
    REQUIRE(error);
    CHECK(error->code == ScramErrc::out_of_order);

    auto twice = ScramClientExchange::with_password("pencil", std::string(kClientNonce), "user");
    REQUIRE(twice.step(kServerFirst));
    const auto r = twice.step(kServerFirst);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ScramErrc::out_of_order);
}

TEST_CASE("a bad client nonce is a programming error") {
    CHECK_THROWS_AS(ScramClientExchange::with_password("x", ""), std::invalid_argument);
    CHECK_THROWS_AS(ScramClientExchange::with_password("x", "a b"), std::invalid_argument);
}
