// SCRAM-SHA-256 key derivations (RFC 5802 §3) over crypto.hpp.
#include "auth/scram_keys.hpp"

#include "auth/saslprep.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>

namespace pgfront::auth {

ScramKey scram_salted_password(std::string_view password, ByteView salt, int iterations) {
    const SaslPrepResult prepared = saslprep(password);
    return pbkdf2_hmac_sha256(as_byte_view(prepared.password), salt, iterations);
}

ScramKey scram_client_key(const ScramKey& salted_password) {
    return hmac_sha256(salted_password, as_byte_view("Client Key"));
}

ScramKey scram_server_key(const ScramKey& salted_password) {
    return hmac_sha256(salted_password, as_byte_view("Server Key"));
}

ScramKey scram_stored_key(const ScramKey& client_key) {
    return sha256(client_key);
}

ScramKey scram_signature(const ScramKey& key, std::string_view auth_message) {
    return hmac_sha256(key, as_byte_view(auth_message));
}

ScramKey scram_xor(const ScramKey& a, const ScramKey& b) {
    ScramKey out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(a[i] ^ b[i]);
    return out;
}

ScramKeys ScramKeys::derive(std::string_view password, ByteView salt, int iterations) {
    const ScramKey salted = scram_salted_password(password, salt, iterations);
    ScramKeys keys;
    keys.client_key = scram_client_key(salted);
    keys.server_key = scram_server_key(salted);
    keys.salt.assign(salt.begin(), salt.end());
    keys.iterations = iterations;
    return keys;
}

namespace {

struct Remembered {
    std::string password;
    ScramKeys keys;  // its salt and iterations are the rest of the question
};

struct RememberedKeys {
    static constexpr std::size_t kept = 8;
    std::array<std::optional<Remembered>, kept> entries;
    std::size_t next = 0;
};

RememberedKeys& remembered_keys() {
    thread_local RememberedKeys keys;
    return keys;
}

void forget(std::optional<Remembered>& entry) {
    if (!entry) return;
    OPENSSL_cleanse(entry->password.data(), entry->password.size());
    OPENSSL_cleanse(entry->keys.client_key.data(), entry->keys.client_key.size());
    OPENSSL_cleanse(entry->keys.server_key.data(), entry->keys.server_key.size());
    entry.reset();
}

}  // namespace

ScramKeys ScramKeys::derive_remembered(std::string_view password, ByteView salt, int iterations) {
    auto& remembered = remembered_keys();
    for (const auto& entry : remembered.entries) {
        if (entry && entry->keys.iterations == iterations && entry->password == password &&
            std::equal(entry->keys.salt.begin(), entry->keys.salt.end(), salt.begin(), salt.end()))
            return entry->keys;
    }
    auto keys = derive(password, salt, iterations);
    auto& slot = remembered.entries[remembered.next];
    forget(slot);
    slot = Remembered{std::string(password), keys};
    remembered.next = (remembered.next + 1) % RememberedKeys::kept;
    return keys;
}

void ScramKeys::forget_remembered() {
    for (auto& entry : remembered_keys().entries) forget(entry);
}

}  // namespace pgfront::auth
