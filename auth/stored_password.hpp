// A password as a password source holds it (auth_file, auth_query's passwd column):
// plaintext, an md5 hash or a SCRAM secret, told apart the way PostgreSQL does.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/random_source.hpp"
#include "auth/scram_secret.hpp"

namespace pgfront::auth {

enum class PasswordKind { plain, md5, scram_sha_256 };

std::string_view to_string(PasswordKind kind);

struct StoredPassword {
    PasswordKind kind = PasswordKind::plain;
    std::string text;                  // exactly as stored
    // kind == scram_sha_256: the stored secret. kind == plain: one derived from the password
    // when it was loaded (with_derived_secret), so that a SCRAM login costs the same for every
    // user; the plaintext itself still logs pgfront in to the server.
    std::optional<ScramSecret> scram;

    // PostgreSQL's get_password_type: "md5" + 32 lowercase hex digits is md5; text that parses
    // as a SCRAM-SHA-256 secret is SCRAM; everything else (including a malformed
    // "SCRAM-SHA-256$..." string) is plaintext.
    static StoredPassword classify(std::string text);
};

// The `password` method: a client's cleartext password against what is stored, for every
// kind (plain: constant-time compare; md5: hash with the user name; SCRAM: derive with the
// secret's salt). An empty password never verifies (PostgreSQL refuses empty passwords).
bool verify_cleartext_password(const StoredPassword& stored, std::string_view user,
                               std::string_view given);

// A plaintext password gets its SCRAM secret (random salt, default iterations) here, once,
// instead of at each login: deriving it takes a few milliseconds of PBKDF2, which an unknown
// user's login would not spend, so the answer's timing would tell listed users apart. Other
// kinds are returned unchanged.
StoredPassword with_derived_secret(StoredPassword stored, RandomSource& random);

}  // namespace pgfront::auth
