// The primitives the password schemes are built from, over OpenSSL's libcrypto: SHA-256,
// HMAC-SHA-256, PBKDF2-HMAC-SHA-256, MD5, constant-time comparison and lowercase hex.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace pgfront::auth {

using ByteView = std::span<const std::uint8_t>;

inline ByteView as_byte_view(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

inline std::string_view as_text(ByteView bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

inline constexpr std::size_t kSha256Size = 32;
inline constexpr std::size_t kMd5Size = 16;
using Sha256Digest = std::array<std::uint8_t, kSha256Size>;
using Md5Digest = std::array<std::uint8_t, kMd5Size>;

Sha256Digest sha256(ByteView data);
Sha256Digest hmac_sha256(ByteView key, ByteView data);
// RFC 8018 PBKDF2 with HMAC-SHA-256, one 32-byte block: SCRAM's Hi(). Precondition:
// iterations >= 1.
Sha256Digest pbkdf2_hmac_sha256(ByteView password, ByteView salt, int iterations);
Md5Digest md5(ByteView data);

// Compares in time that depends only on the lengths; different lengths compare unequal
// (lengths of proofs, signatures and hashes are public).
bool constant_time_equal(ByteView a, ByteView b);

std::string hex_lower(ByteView bytes);

}  // namespace pgfront::auth
