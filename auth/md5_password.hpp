// PostgreSQL's md5 password scheme: the stored hash "md5" + hex(md5(password + user)) and the
// answer to an AuthenticationMD5Password salt, "md5" + hex(md5(hex-of-stored-hash + salt)).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgfront::auth {

using Md5Salt = std::array<std::uint8_t, 4>;

// "md5" followed by exactly 32 lowercase hex digits, as PostgreSQL classifies a stored
// password (get_password_type). Anything else counts as plaintext.
bool is_md5_hash(std::string_view text);

// What PostgreSQL stores with password_encryption = md5.
std::string md5_password_hash(std::string_view password, std::string_view user);

// The response to a server's salt, from what the caller has. nullopt if `md5_hash` is not one.
std::optional<std::string> md5_response_from_hash(std::string_view md5_hash, const Md5Salt& salt);
std::string md5_response_from_password(std::string_view password, std::string_view user,
                                       const Md5Salt& salt);

// A client's PasswordMessage against what is stored, in constant time for equal lengths.
// False if `md5_hash` is not an md5 hash.
bool md5_verify_response(std::string_view response, std::string_view md5_hash, const Md5Salt& salt);
bool md5_verify_response_with_password(std::string_view response, std::string_view password,
                                       std::string_view user, const Md5Salt& salt);

}  // namespace pgfront::auth
