// md5 password hashing and salted responses (PostgreSQL's md5 authentication).
#include "auth/md5_password.hpp"

#include "auth/crypto.hpp"

namespace pgfront::auth {

namespace {

constexpr std::string_view kPrefix = "md5";
constexpr std::size_t kHashSize = 35;  // "md5" + 32 hex digits

std::string md5_hex_with_prefix(std::string_view first, ByteView second) {
    std::string input(first);
    input.append(as_text(second));
    return std::string(kPrefix) + hex_lower(md5(as_byte_view(input)));
}

}  // namespace

bool is_md5_hash(std::string_view text) {
    if (text.size() != kHashSize || !text.starts_with(kPrefix)) return false;
    for (const char c : text.substr(kPrefix.size())) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

std::string md5_password_hash(std::string_view password, std::string_view user) {
    return md5_hex_with_prefix(password, as_byte_view(user));
}

std::optional<std::string> md5_response_from_hash(std::string_view md5_hash, const Md5Salt& salt) {
    if (!is_md5_hash(md5_hash)) return std::nullopt;
    return md5_hex_with_prefix(md5_hash.substr(kPrefix.size()), salt);
}

std::string md5_response_from_password(std::string_view password, std::string_view user,
                                       const Md5Salt& salt) {
    const std::string hash = md5_password_hash(password, user);
    return md5_hex_with_prefix(std::string_view(hash).substr(kPrefix.size()), salt);
}

bool md5_verify_response(std::string_view response, std::string_view md5_hash,
                         const Md5Salt& salt) {
    const auto expected = md5_response_from_hash(md5_hash, salt);
    return expected && constant_time_equal(as_byte_view(response), as_byte_view(*expected));
}

bool md5_verify_response_with_password(std::string_view response, std::string_view password,
                                       std::string_view user, const Md5Salt& salt) {
    const std::string expected = md5_response_from_password(password, user, salt);
    return constant_time_equal(as_byte_view(response), as_byte_view(expected));
}

}  // namespace pgfront::auth
