// SystemRandom over the kernel's getrandom(2), and nonces and salts drawn from any
// RandomSource.
#include "auth/random_source.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "auth/base64.hpp"

namespace pgfront::auth {

// The kernel's generator directly, as PgBouncer does: RAND_bytes costs a process-id check
// and a DRBG round on every call, several microseconds per client login for 26 bytes.
// getrandom blocks only until the kernel pool is first initialised at boot; requests over
// 256 bytes may come back short, hence the loop.
void SystemRandom::fill(std::span<std::uint8_t> out) {
    while (!out.empty()) {
        const auto got = ::getrandom(out.data(), out.size(), 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        out = out.subspan(static_cast<std::size_t>(got));
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
