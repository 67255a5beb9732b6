// Tests for auth/base64: RFC 4648 §10 vectors both ways and the strictness of decoding.
#include "auth/base64.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "test_support.hpp"

using namespace pgfront::auth;

TEST_CASE("RFC 4648 §10 test vectors") {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        CAPTURE(plain);
        CHECK(base64_encode(as_byte_view(plain)) == encoded);
        const auto decoded = base64_decode(encoded);
        REQUIRE(decoded);
        CHECK(as_text(*decoded) == plain);
    }
}

TEST_CASE("all byte values round-trip, including '+' and '/'") {
    std::vector<std::uint8_t> all(256);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
    const std::string encoded = base64_encode(all);
    CHECK(encoded.find('+') != std::string::npos);
    CHECK(encoded.find('/') != std::string::npos);
    CHECK(base64_decode(encoded) == all);
    CHECK(base64_encode(std::vector<std::uint8_t>{0xfb, 0xff}) == "+/8=");
}

TEST_CASE("decoding rejects malformed input") {
    CHECK_FALSE(base64_decode("Zg"));        // missing padding
    CHECK_FALSE(base64_decode("Zg="));       // length not a multiple of 4
    CHECK_FALSE(base64_decode("Z==="));      // three padding characters
    CHECK_FALSE(base64_decode("Zg==Zg=="));  // padding in the middle
    CHECK_FALSE(base64_decode("Z=g="));
    CHECK_FALSE(base64_decode("Zm9v YmFy"));  // whitespace
    CHECK_FALSE(base64_decode("Zm9-"));       // URL-safe alphabet
    CHECK_FALSE(base64_decode("===="));
    CHECK_FALSE(base64_decode(std::string("Zm9\0", 4)));
}

TEST_CASE("non-zero unused bits are tolerated, as PostgreSQL does") {
    const auto decoded = base64_decode("Zh==");  // 'h' sets bits beyond the single byte
    REQUIRE(decoded);
    CHECK(as_text(*decoded) == "f");
}
