// OpenSSL 3 calls behind crypto.hpp. Only EVP and one-shot PBKDF2 APIs are used (the
// low-level MD5_* and SHA256_* functions are deprecated). A libcrypto failure here is not an
// expected outcome (out of memory, a FIPS provider without MD5): it throws.
//
// Digests are fetched from the provider once per process. EVP_sha256() and the one-shot
// HMAC() look the algorithm up by name on every call (string compares, locks, allocations):
// that was an eighth of pgfront's CPU per client login, which does two HMACs and a hash.
#include "auth/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>

namespace pgfront::auth {

namespace {

struct DigestContextFree {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// Fetched once, kept for the life of the process (EVP_MD objects are immutable and may be
// shared between threads).
const EVP_MD* fetched(const char* name, const char* what) {
    const EVP_MD* type = EVP_MD_fetch(nullptr, name, nullptr);
    if (type == nullptr) throw std::runtime_error(std::string("libcrypto: no ") + what);
    return type;
}

const EVP_MD* sha256_type() {
    static const EVP_MD* const type = fetched("SHA2-256", "SHA-256");
    return type;
}

// One context per thread, reinitialised for each digest.
EVP_MD_CTX* thread_context() {
    thread_local const std::unique_ptr<EVP_MD_CTX, DigestContextFree> context(EVP_MD_CTX_new());
    if (!context) throw std::runtime_error("libcrypto: EVP_MD_CTX_new failed");
    return context.get();
}

// Hashes the concatenation of `parts`.
template <std::size_t N>
std::array<std::uint8_t, N> digest(const EVP_MD* type, std::initializer_list<ByteView> parts, const char* what) {
    std::array<std::uint8_t, N> out{};
    unsigned int length = 0;
    EVP_MD_CTX* context = thread_context();
    bool ok = EVP_DigestInit_ex2(context, type, nullptr) == 1;
    for (const ByteView part : parts) ok = ok && EVP_DigestUpdate(context, part.data(), part.size()) == 1;
    ok = ok && EVP_DigestFinal_ex(context, out.data(), &length) == 1;
    if (!ok || length != N) throw std::runtime_error(std::string("libcrypto: ") + what + " failed");
    return out;
}

}  // namespace

Sha256Digest sha256(ByteView data) {
    return digest<kSha256Size>(sha256_type(), {data}, "SHA-256");
}

Md5Digest md5(ByteView data) {
    static const EVP_MD* const type = fetched("MD5", "MD5");
    return digest<kMd5Size>(type, {data}, "MD5");
}

// RFC 2104 over the fetched SHA-256: H((K ^ opad) || H((K ^ ipad) || data)), where K is the
// key (hashed first when longer than a block) padded with zeros to the 64-byte block.
Sha256Digest hmac_sha256(ByteView key, ByteView data) {
    constexpr std::size_t block = 64;
    std::array<std::uint8_t, block> padded{};
    if (key.size() > block) {
        const auto hashed = sha256(key);
        std::copy(hashed.begin(), hashed.end(), padded.begin());
    } else {
        std::copy(key.begin(), key.end(), padded.begin());
    }
    std::array<std::uint8_t, block> inner_pad{};
    std::array<std::uint8_t, block> outer_pad{};
    for (std::size_t i = 0; i < block; ++i) {
        inner_pad[i] = static_cast<std::uint8_t>(padded[i] ^ 0x36);
        outer_pad[i] = static_cast<std::uint8_t>(padded[i] ^ 0x5c);
    }
    const auto inner = digest<kSha256Size>(sha256_type(), {inner_pad, data}, "HMAC-SHA-256");
    auto out = digest<kSha256Size>(sha256_type(), {outer_pad, inner}, "HMAC-SHA-256");
    OPENSSL_cleanse(padded.data(), padded.size());
    OPENSSL_cleanse(inner_pad.data(), inner_pad.size());
    OPENSSL_cleanse(outer_pad.data(), outer_pad.size());
    return out;
}

Sha256Digest pbkdf2_hmac_sha256(ByteView password, ByteView salt, int iterations) {
    if (iterations < 1) throw std::invalid_argument("PBKDF2 needs at least one iteration");
    Sha256Digest out{};
    static const std::uint8_t empty = 0;
    const auto* pass = reinterpret_cast<const char*>(password.empty() ? &empty : password.data());
    const auto* salt_data = salt.empty() ? &empty : salt.data();
    if (PKCS5_PBKDF2_HMAC(pass, static_cast<int>(password.size()), salt_data,
                          static_cast<int>(salt.size()), iterations, sha256_type(),
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
