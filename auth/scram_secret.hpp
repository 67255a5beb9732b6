// PostgreSQL's stored SCRAM-SHA-256 secret (pg_authid.rolpassword, auth_query, auth_file):
// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>", parsed, formatted, derived.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/random_source.hpp"
#include "auth/result.hpp"
#include "auth/scram_keys.hpp"

namespace pgfront::auth {

// PostgreSQL's default scram_iterations.
inline constexpr int kScramDefaultIterations = 4096;

struct ScramSecret {
    int iterations = 0;
    std::vector<std::uint8_t> salt;
    ScramKey stored_key{};
    ScramKey server_key{};

    // Accepts exactly the format above: iterations a positive decimal int, salt a non-empty
    // base64 string, both keys base64 of 32 bytes. The error names the part that is wrong
    // (never the secret itself, so it may be logged).
    static Result<ScramSecret, std::string> parse(std::string_view text);
    std::string to_string() const;

    // The secret PostgreSQL would store for `password` (SASLprep'ed, see saslprep.hpp) with
    // this salt and iteration count. Precondition: iterations >= 1.
    static ScramSecret derive(std::string_view password, ByteView salt, int iterations);
    // As CREATE ROLE ... PASSWORD does: a fresh random salt of kScramSaltSize bytes.
    static ScramSecret generate(std::string_view password, RandomSource& random,
                                int iterations = kScramDefaultIterations);
    // A secret for a user who does not exist, so the exchange looks like a real one and fails
    // at the proof (PostgreSQL's "mock" authentication): the salt is derived from the user
    // name and `mock_key` (a secret, stable for the process lifetime), so it does not change
    // between attempts; the keys are unusable.
    static ScramSecret mock(std::string_view user, ByteView mock_key);

    // Cleartext check (the `password` method): derives with this salt and compares the keys in
    // constant time.
    bool verify_password(std::string_view password) const;

    // The keys a password produces for this secret's salt and iterations.
    ScramKeys keys_for_password(std::string_view password) const;

    friend bool operator==(const ScramSecret&, const ScramSecret&) = default;
};

}  // namespace pgfront::auth
