// OpenSSL 3 calls behind crypto.hpp. Only EVP and one-shot HMAC/PBKDF2 APIs are used (the
// low-level MD5_* and SHA256_* functions are deprecated). A libcrypto failure here is not an
// expected outcome (out of memory, a FIPS provider without MD5): it throws.
#include "auth/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace pgfront::auth {

namespace {

template <std::size_t N>
std::array<std::uint8_t, N> digest(const EVP_MD* type, ByteView data, const char* what) {
    std::array<std::uint8_t, N> out{};
    unsigned int length = 0;
    if (type == nullptr ||
        EVP_Digest(data.data(), data.size(), out.data(), &length, type, nullptr) != 1 ||
        length != N) {
        throw std::runtime_error(std::string("libcrypto: ") + what + " failed");
    }
    return out;
}

}  // namespace

Sha256Digest sha256(ByteView data) {
    return digest<kSha256Size>(EVP_sha256(), data, "SHA-256");
}

Md5Digest md5(ByteView data) {
    return digest<kMd5Size>(EVP_md5(), data, "MD5");
}

Sha256Digest hmac_sha256(ByteView key, ByteView data) {
    Sha256Digest out{};
    unsigned int length = 0;
    // An empty key is legal for HMAC; OpenSSL wants a non-null pointer for it.
    static const std::uint8_t empty = 0;
    const void* key_data = key.empty() ? &empty : key.data();
    if (HMAC(EVP_sha256(), key_data, static_cast<int>(key.size()), data.data(), data.size(),
             out.data(), &length) == nullptr ||
        length != kSha256Size) {
        throw std::runtime_error("libcrypto: HMAC-SHA-256 failed");
    }
    return out;
}

Sha256Digest pbkdf2_hmac_sha256(ByteView password, ByteView salt, int iterations) {
    if (iterations < 1) throw std::invalid_argument("PBKDF2 needs at least one iteration");
    Sha256Digest out{};
    static const std::uint8_t empty = 0;
    const auto* pass = reinterpret_cast<const char*>(password.empty() ? &empty : password.data());
    const auto* salt_data = salt.empty() ? &empty : salt.data();
    if (PKCS5_PBKDF2_HMAC(pass, static_cast<int>(password.size()), salt_data,
                          static_cast<int>(salt.size()), iterations, EVP_sha256(),
                          static_cast<int>(out.size()), out.data()) != 1) {
        throw std::runtime_error("libcrypto: PBKDF2-HMAC-SHA-256 failed");
    }
    return out;
}

bool constant_time_equal(ByteView a, ByteView b) {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hex_lower(ByteView bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const std::uint8_t b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0f]);
    }
    return out;
}

}  // namespace pgfront::auth
