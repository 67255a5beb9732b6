// ScramKeys::derive_remembered (auth/scram_keys.hpp): the same keys as derive(), whatever it
// remembers from earlier questions.
#include "auth/scram_keys.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using pgfront::auth::ScramKeys;

namespace {
std::vector<std::uint8_t> salt_of(std::uint8_t seed) {
    std::vector<std::uint8_t> salt(16);
    for (std::size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<std::uint8_t>(seed + i);
    return salt;
}
}  // namespace

TEST_CASE("remembered keys are derive()'s, for every password, salt and iteration count asked") {
    struct Question {
        std::string password;
        std::vector<std::uint8_t> salt;
        int iterations;
    };
    std::vector<Question> questions;
    // More questions than it keeps, differing in one part each, asked twice over: answers
    // from memory and fresh ones must both be right.
    for (int n = 0; n < 6; ++n) {
        questions.push_back({"pass" + std::to_string(n), salt_of(1), 64});
        questions.push_back({"pass0", salt_of(static_cast<std::uint8_t>(10 + n)), 64});
        questions.push_back({"pass0", salt_of(1), 65 + n});
    }
    for (int round = 0; round < 2; ++round) {
        for (const auto& q : questions) {
            const auto expected = ScramKeys::derive(q.password, q.salt, q.iterations);
            CHECK(ScramKeys::derive_remembered(q.password, q.salt, q.iterations) == expected);
            CHECK(ScramKeys::derive_remembered(q.password, q.salt, q.iterations) == expected);  // from memory
        }
    }
}

TEST_CASE("a salt that is a prefix of a remembered one is another question") {
    const auto salt = salt_of(3);
    (void)ScramKeys::derive_remembered("apppass", salt, 64);
    const std::vector<std::uint8_t> shorter(salt.begin(), salt.begin() + 8);
    CHECK(ScramKeys::derive_remembered("apppass", shorter, 64) == ScramKeys::derive("apppass", shorter, 64));
    CHECK_FALSE(ScramKeys::derive("apppass", shorter, 64) == ScramKeys::derive("apppass", salt, 64));
}
