// Base64 as SCRAM and PostgreSQL's stored secrets use it: RFC 4648 §4, standard alphabet,
// with padding. Decoding is strict about structure: no whitespace, no missing padding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/crypto.hpp"

namespace pgfront::auth {

std::string base64_encode(ByteView bytes);

// nullopt for a length that is not a multiple of 4, a character outside the alphabet, or
// '=' anywhere but the last one or two positions. Non-zero bits in the final quantum's unused
// low bits are accepted (PostgreSQL's decoder accepts them too).
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace pgfront::auth
