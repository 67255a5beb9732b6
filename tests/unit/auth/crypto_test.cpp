// Tests for auth/crypto: published vectors for SHA-256 (FIPS 180-2), HMAC-SHA-256 (RFC 4231),
// PBKDF2-HMAC-SHA-256 (RFC 7914 §11) and MD5 (RFC 1321), plus the comparison and hex helpers.
// Our HMAC is built on the digest (RFC 2104); OpenSSL's own HMAC() is its oracle here.
#include "auth/crypto.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

using namespace pgfront::auth;
using pgfront::auth::test::hex;

TEST_CASE("SHA-256 of the FIPS 180-2 examples") {
    CHECK(hex(sha256(as_byte_view("abc"))) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex(sha256(as_byte_view(""))) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("HMAC-SHA-256, RFC 4231 test cases 1 and 2") {
    const std::string key1(20, '\x0b');
    CHECK(hex(hmac_sha256(as_byte_view(key1), as_byte_view("Hi There"))) ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(hex(hmac_sha256(as_byte_view("Jefe"), as_byte_view("what do ya want for nothing?"))) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // An empty key is legal.
    CHECK(hex(hmac_sha256(as_byte_view(""), as_byte_view(""))) ==
          "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("HMAC-SHA-256, RFC 4231 test cases 6 and 7: a key longer than the block is hashed first") {
    const std::string key(131, '\xaa');
    CHECK(hex(hmac_sha256(as_byte_view(key), as_byte_view("Test Using Larger Than Block-Size Key - Hash Key First"))) ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    CHECK(hex(hmac_sha256(as_byte_view(key),
                          as_byte_view("This is a test using a larger than block-size key and a larger than block-size "
                                       "data. The key needs to be hashed before being used by the HMAC algorithm."))) ==
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("HMAC-SHA-256 agrees with OpenSSL's HMAC() for keys and messages around the block size") {
    std::vector<std::uint8_t> bytes(300);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 131 + 7);
    for (const std::size_t key_size : {0, 1, 31, 32, 63, 64, 65, 128, 200}) {
        for (const std::size_t data_size : {0, 1, 55, 56, 64, 119, 300}) {
            const ByteView key(bytes.data() + 3, key_size);
            const ByteView data(bytes.data(), data_size);
            std::uint8_t expected[32];
            unsigned int length = 0;
            static const std::uint8_t empty = 0;
            REQUIRE(HMAC(EVP_sha256(), key.empty() ? &empty : key.data(), static_cast<int>(key.size()), data.data(),
                         data.size(), expected, &length) != nullptr);
            CAPTURE(key_size);
            CAPTURE(data_size);
            CHECK(hmac_sha256(key, data) == std::to_array(expected));
        }
    }
}

TEST_CASE("digests from several threads at once (one context per thread)") {
    const auto expected = hmac_sha256(as_byte_view("key"), as_byte_view("message"));
    std::vector<std::thread> threads;
    std::vector<int> mismatches(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i)
                if (hmac_sha256(as_byte_view("key"), as_byte_view("message")) != expected) ++mismatches[t];
        });
    }
    for (auto& thread : threads) thread.join();
    for (const int m : mismatches) CHECK(m == 0);
}

TEST_CASE("PBKDF2-HMAC-SHA-256, RFC 7914 §11 (first 32 bytes)") {
    CHECK(hex(pbkdf2_hmac_sha256(as_byte_view("passwd"), as_byte_view("salt"), 1)) ==
          "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
    CHECK(hex(pbkdf2_hmac_sha256(as_byte_view("Password"), as_byte_view("NaCl"), 80000)) ==
          "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56");
    CHECK_THROWS(pbkdf2_hmac_sha256(as_byte_view("x"), as_byte_view("y"), 0));
}

TEST_CASE("MD5, RFC 1321 examples") {
    CHECK(hex(md5(as_byte_view(""))) == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(hex(md5(as_byte_view("abc"))) == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(hex(md5(as_byte_view("message digest"))) == "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST_CASE("constant_time_equal and hex_lower") {
    CHECK(constant_time_equal(as_byte_view("abc"), as_byte_view("abc")));
    CHECK_FALSE(constant_time_equal(as_byte_view("abc"), as_byte_view("abd")));
    CHECK_FALSE(constant_time_equal(as_byte_view("abc"), as_byte_view("ab")));
    CHECK(constant_time_equal(as_byte_view(""), as_byte_view("")));
    const std::string raw("\x00\x0f\xf0\xff", 4);
    CHECK(hex_lower(as_byte_view(raw)) == "000ff0ff");
}
