// Classification of stored passwords and cleartext verification against each kind.
#include "auth/stored_password.hpp"

#include "auth/crypto.hpp"
#include "auth/md5_password.hpp"

namespace pgfront::auth {

std::string_view to_string(PasswordKind kind) {
    switch (kind) {
        case PasswordKind::plain:
            return "plain";
        case PasswordKind::md5:
            return "md5";
        case PasswordKind::scram_sha_256:
            return "scram-sha-256";
    }
    return "plain";
}

StoredPassword StoredPassword::classify(std::string text) {
    StoredPassword stored;
    if (is_md5_hash(text)) {
        stored.kind = PasswordKind::md5;
    } else if (auto secret = ScramSecret::parse(text)) {
        stored.kind = PasswordKind::scram_sha_256;
        stored.scram = std::move(secret.value());
    }
    stored.text = std::move(text);
    return stored;
}

bool verify_cleartext_password(const StoredPassword& stored, std::string_view user,
                               std::string_view given) {
    if (given.empty()) return false;
    switch (stored.kind) {
        case PasswordKind::plain:
            // Hashed first, so the comparison does not reveal the stored password's length.
            return constant_time_equal(sha256(as_byte_view(given)),
                                       sha256(as_byte_view(stored.text)));
        case PasswordKind::md5:
            return constant_time_equal(as_byte_view(md5_password_hash(given, user)),
                                       as_byte_view(stored.text));
        case PasswordKind::scram_sha_256:
            return stored.scram && stored.scram->verify_password(given);
    }
    return false;
}

StoredPassword with_derived_secret(StoredPassword stored, RandomSource& random) {
    if (stored.kind == PasswordKind::plain && !stored.scram) stored.scram = ScramSecret::generate(stored.text, random);
    return stored;
}

}  // namespace pgfront::auth
