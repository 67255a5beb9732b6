// SASL mechanism names on both sides of pgfront: what it offers clients (SCRAM-SHA-256 only,
// no channel binding yet) and which one it picks from a server's AuthenticationSASL list.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace pgfront::auth {

inline constexpr std::string_view kScramSha256 = "SCRAM-SHA-256";
inline constexpr std::string_view kScramSha256Plus = "SCRAM-SHA-256-PLUS";

// The mechanisms pgfront lists in its AuthenticationSASL to clients.
std::span<const std::string_view> offered_sasl_mechanisms();

// Whether a client's SASLInitialResponse names a mechanism we offered. A client choosing
// SCRAM-SHA-256-PLUS, which we never offer, is a protocol violation (08P01).
bool is_offered_sasl_mechanism(std::string_view chosen);

// Towards a server: SCRAM-SHA-256 when listed (pgfront does no channel binding, so
// SCRAM-SHA-256-PLUS is never chosen); nullopt when the server offers nothing we speak.
std::optional<std::string_view> choose_sasl_mechanism(std::span<const std::string_view> offered);
// The same over AuthenticationSASL's raw list: names each followed by a NUL (the final empty
// terminator may be present or stripped).
std::optional<std::string_view> choose_sasl_mechanism_from_list(std::string_view nul_separated);

}  // namespace pgfront::auth
