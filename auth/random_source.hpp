// Where auth's randomness comes from (SCRAM nonces, salts): an injected RandomSource, so
// tests are deterministic; SystemRandom is the kernel's CSPRNG (getrandom) for production.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace pgfront::auth {

class RandomSource {
  public:
    virtual ~RandomSource() = default;
    virtual void fill(std::span<std::uint8_t> out) = 0;
};

// getrandom(2). Throws std::system_error if the kernel refuses (a broken host, not an
// expected outcome).
class SystemRandom final : public RandomSource {
  public:
    void fill(std::span<std::uint8_t> out) override;
};

// Raw nonce length PostgreSQL and libpq use (SCRAM_RAW_NONCE_LEN); encoded: 24 characters.
inline constexpr std::size_t kScramRawNonceSize = 18;
// Salt length PostgreSQL uses for new secrets (SCRAM_DEFAULT_SALT_LEN).
inline constexpr std::size_t kScramSaltSize = 16;

// A SCRAM nonce: base64 of kScramRawNonceSize random bytes (printable, never ',').
std::string make_scram_nonce(RandomSource& random);
std::vector<std::uint8_t> make_salt(RandomSource& random, std::size_t size = kScramSaltSize);

}  // namespace pgfront::auth
