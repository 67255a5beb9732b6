// Server and client exchanges against each other: plaintext, stored secret, ScramKeys, and
// the auth_query pass-through — the ClientKey a client's login reveals lets pgfront log in to
// a second server that stores the same secret, without the plaintext password.
#include <doctest/doctest.h>

#include <algorithm>

#include <string>

#include "auth/random_source.hpp"
#include "auth/scram_client_exchange.hpp"
#include "auth/scram_secret.hpp"
#include "auth/scram_server_exchange.hpp"
#include "test_support.hpp"

using namespace pgfront::auth;
using namespace pgfront::auth::test;

namespace {

// PostgreSQL 15: CREATE ROLE x PASSWORD 'apppass' with password_encryption = scram-sha-256.
constexpr std::string_view kPg15AppPass =
    "SCRAM-SHA-256$4096:Ox8JkhsdZreLsOhTh9eWew==$l+De3gny99IKxoOjFFtjV4J8nORQ0HiuS3dVUb5KSwo=:"
    "HgPieugooiWbdA2Te+AAQ234Be2xCG/PihQL4OcpC2o=";

struct Outcome {
    bool server_ok = false;
    bool client_ok = false;
    std::optional<ScramErrc> error;
};

// Plays a whole exchange; stops at the first error from either side.
Outcome play(ScramClientExchange& client, ScramServerExchange& server) {
    Outcome out;
    auto server_first = server.step(client.first());
    if (!server_first) return {false, false, server_first.error().code};
    auto client_final = client.step(server_first.value());
    if (!client_final) return {false, false, client_final.error().code};
    auto server_final = server.step(client_final.value());
    if (!server_final) return {false, false, server_final.error().code};
    out.server_ok = server.succeeded();
    const auto verified = client.verify(server_final.value());
    if (verified) return {out.server_ok, false, verified->code};
    out.client_ok = client.succeeded();
    return out;
}

ScramSecret pg_secret() {
    return ScramSecret::parse(kPg15AppPass).value();
}

}  // namespace

TEST_CASE("client with the password against the secret PostgreSQL stored") {
    CountingRandom random(1);
    auto client = ScramClientExchange::with_password("apppass", make_scram_nonce(random));
    ScramServerExchange server(pg_secret(), make_scram_nonce(random));
    const Outcome o = play(client, server);
    CHECK(o.server_ok);
    CHECK(o.client_ok);
    CHECK_FALSE(o.error);
}

TEST_CASE("wrong password against a stored secret") {
    CountingRandom random(2);
    auto client = ScramClientExchange::with_password("wrong", make_scram_nonce(random));
    ScramServerExchange server(pg_secret(), make_scram_nonce(random));
    const Outcome o = play(client, server);
    CHECK_FALSE(o.server_ok);
    CHECK(o.error == ScramErrc::invalid_proof);
}

TEST_CASE("client with the password against a plaintext-stored user") {
    CountingRandom random(3);
    auto client = ScramClientExchange::with_password("apppass", make_scram_nonce(random));
    auto server = ScramServerExchange::from_password("apppass", random);
    const Outcome o = play(client, server);
    CHECK(o.server_ok);
    CHECK(o.client_ok);
}

TEST_CASE("non-ASCII password: both sides prepare it the same way") {
    CountingRandom random(4);
    const std::string password = "p\xC3\xA4ss\xC2\xA0w\xC3\xB6rd";  // with a NO-BREAK SPACE
    auto client = ScramClientExchange::with_password(password, make_scram_nonce(random));
    auto server = ScramServerExchange::from_password("p\xC3\xA4ss w\xC3\xB6rd", random);
    const Outcome o = play(client, server);
    CHECK(o.server_ok);
    CHECK(o.client_ok);
}

TEST_CASE("client with keys derived from the password") {
    CountingRandom random(5);
    const ScramSecret secret = pg_secret();
    auto client = ScramClientExchange::with_keys(secret.keys_for_password("apppass"),
                                                 make_scram_nonce(random));
    ScramServerExchange server(secret, make_scram_nonce(random));
    const Outcome o = play(client, server);
    CHECK(o.server_ok);
    CHECK(o.client_ok);
}

TEST_CASE("auth_query pass-through: a client's login yields keys that log in to PostgreSQL") {
    CountingRandom random(6);
    const ScramSecret secret = pg_secret();  // what auth_query returned

    // 1. A client (psql, with the plaintext) logs in to pgfront.
    auto app = ScramClientExchange::with_password("apppass", make_scram_nonce(random));
    ScramServerExchange front(secret, make_scram_nonce(random));
    REQUIRE(play(app, front).server_ok);
    REQUIRE(front.client_keys());
    const ScramKeys keys = *front.client_keys();
    CHECK(keys.salt == secret.salt);
    CHECK(keys.iterations == secret.iterations);

    // 2. pgfront logs in to the server, which stores the same secret, with those keys only.
    auto to_server = ScramClientExchange::with_keys(keys, make_scram_nonce(random));
    ScramServerExchange postgres(secret, make_scram_nonce(random));
    const Outcome o = play(to_server, postgres);
    CHECK(o.server_ok);
    CHECK(o.client_ok);
    CHECK_FALSE(o.error);
}

TEST_CASE("pass-through when the server's secret changed: clear error before the proof") {
    CountingRandom random(7);
    const ScramSecret cached = pg_secret();
    auto app = ScramClientExchange::with_password("apppass", make_scram_nonce(random));
    ScramServerExchange front(cached, make_scram_nonce(random));
    REQUIRE(play(app, front).server_ok);

    // The role's password was set again (same text, new salt) since auth_query ran.
    const ScramSecret current = ScramSecret::generate("apppass", random);
    auto to_server = ScramClientExchange::with_keys(*front.client_keys(), make_scram_nonce(random));
    ScramServerExchange postgres(current, make_scram_nonce(random));
    const Outcome o = play(to_server, postgres);
    CHECK(o.error == ScramErrc::server_secret_mismatch);

    // Without the salt check the server would refuse the proof instead.
    ScramKeys unchecked = *front.client_keys();
    unchecked.salt.clear();
    unchecked.iterations = 0;
    auto blind = ScramClientExchange::with_keys(unchecked, make_scram_nonce(random));
    ScramServerExchange postgres2(current, make_scram_nonce(random));
    CHECK(play(blind, postgres2).error == ScramErrc::invalid_proof);
}

TEST_CASE("a server that does not know ServerKey is caught by the client") {
    // An impostor holding StoredKey only (enough to check our proof) accepts us, but it cannot
    // compute ServerSignature: the client refuses the login.
    CountingRandom random(8);
    ScramSecret stolen = pg_secret();
    stolen.server_key[0] ^= 0xff;
    auto client = ScramClientExchange::with_password("apppass", make_scram_nonce(random));
    ScramServerExchange impostor(stolen, make_scram_nonce(random));
    const Outcome o = play(client, impostor);
    CHECK(o.server_ok);
    CHECK_FALSE(o.client_ok);
    CHECK(o.error == ScramErrc::server_signature_mismatch);
}

TEST_CASE("system random produces distinct printable nonces") {
    SystemRandom random;
    const std::string a = make_scram_nonce(random);
    const std::string b = make_scram_nonce(random);
    CHECK(a.size() == 24);
    CHECK(a != b);
    auto client = ScramClientExchange::with_password("apppass", a);
    ScramServerExchange server(pg_secret(), b);
    CHECK(play(client, server).client_ok);
}

TEST_CASE("system random fills requests larger than getrandom's 256-byte unit") {
    SystemRandom random;
    std::vector<std::uint8_t> big(5000, 0);
    random.fill(big);
    // A zero byte has probability 1/256 each: 5000 bytes with more than 100 zeros would mean
    // a part was never written (expected about 20).
    CHECK(std::count(big.begin(), big.end(), 0) < 100);
    CHECK(std::count(big.end() - 256, big.end(), 0) < 20);
}
