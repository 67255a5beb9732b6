// Shared helpers for the auth unit tests: a deterministic RandomSource and byte/hex
// conversions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/crypto.hpp"
#include "auth/random_source.hpp"

namespace pgfront::auth::test {

// Fills with 0, 1, 2, ... continuing across calls, from a chosen start.
class CountingRandom final : public RandomSource {
  public:
    explicit CountingRandom(std::uint8_t start = 0) : next_(start) {}
    void fill(std::span<std::uint8_t> out) override {
        for (auto& b : out) b = next_++;
    }

  private:
    std::uint8_t next_;
};

inline std::vector<std::uint8_t> bytes_of(std::string_view text) {
    return {text.begin(), text.end()};
}

inline std::string hex(ByteView bytes) {
    return hex_lower(bytes);
}

}  // namespace pgfront::auth::test
