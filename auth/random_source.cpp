// SystemRandom over RAND_bytes, and nonces and salts drawn from any RandomSource.
#include "auth/random_source.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>

#include "auth/base64.hpp"

namespace pgfront::auth {

void SystemRandom::fill(std::span<std::uint8_t> out) {
    while (!out.empty()) {
        const std::size_t chunk =
            std::min<std::size_t>(out.size(), std::numeric_limits<int>::max());
        if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) {
            throw std::runtime_error("libcrypto: RAND_bytes failed");
        }
        out = out.subspan(chunk);
    }
}

std::string make_scram_nonce(RandomSource& random) {
    std::array<std::uint8_t, kScramRawNonceSize> raw{};
    random.fill(raw);
    return base64_encode(raw);
}

std::vector<std::uint8_t> make_salt(RandomSource& random, std::size_t size) {
    std::vector<std::uint8_t> salt(size);
    random.fill(salt);
    return salt;
}

}  // namespace pgfront::auth
