// The key algebra of SCRAM-SHA-256 (RFC 5802 §3, RFC 7677): SaltedPassword, ClientKey,
// StoredKey, ServerKey, the signatures over AuthMessage, and the keys a client logs in with.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/crypto.hpp"

namespace pgfront::auth {

using ScramKey = Sha256Digest;

// SaltedPassword := Hi(Normalize(password), salt, i). `password` is SASLprep'ed here.
ScramKey scram_salted_password(std::string_view password, ByteView salt, int iterations);
// ClientKey := HMAC(SaltedPassword, "Client Key")
ScramKey scram_client_key(const ScramKey& salted_password);
// ServerKey := HMAC(SaltedPassword, "Server Key")
ScramKey scram_server_key(const ScramKey& salted_password);
// StoredKey := H(ClientKey)
ScramKey scram_stored_key(const ScramKey& client_key);
// ClientSignature := HMAC(StoredKey, AuthMessage); ServerSignature := HMAC(ServerKey, ...)
ScramKey scram_signature(const ScramKey& key, std::string_view auth_message);
// ClientProof := ClientKey XOR ClientSignature (and back again).
ScramKey scram_xor(const ScramKey& a, const ScramKey& b);

// What a SCRAM client needs to log in without the plaintext: ClientKey and ServerKey. Derived
// from a password, or recovered from a client's proof by ScramServerExchange (the keys then
// embody the salt and iteration count of the secret they were verified against).
struct ScramKeys {
    ScramKey client_key{};
    ScramKey server_key{};
    // The salt and iteration count the keys belong to, when known: a server offering anything
    // else cannot accept them. Empty salt / zero iterations: unknown, not checked.
    std::vector<std::uint8_t> salt;
    int iterations = 0;

    static ScramKeys derive(std::string_view password, ByteView salt, int iterations);
    // derive(), remembering the last few answers on this thread. pgfront logs in to servers
    // with the same password, salt and iteration count again and again (every pool connection
    // with a plaintext password, every auth_query lookup as auth_user), and PBKDF2 at
    // PostgreSQL's 4,096 iterations takes about a millisecond of the event loop each time.
    static ScramKeys derive_remembered(std::string_view password, ByteView salt, int iterations);
    // Wipes what this thread remembers (a reload may have removed those passwords).
    static void forget_remembered();
    friend bool operator==(const ScramKeys&, const ScramKeys&) = default;
};

}  // namespace pgfront::auth
