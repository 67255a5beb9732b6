// SASL mechanism selection.
#include "auth/sasl_mechanism.hpp"

#include <array>

namespace pgfront::auth {

namespace {

constexpr std::array<std::string_view, 1> kOffered{kScramSha256};

}  // namespace

std::span<const std::string_view> offered_sasl_mechanisms() {
    return kOffered;
}

bool is_offered_sasl_mechanism(std::string_view chosen) {
    for (const auto name : kOffered) {
        if (name == chosen) return true;
    }
    return false;
}

std::optional<std::string_view> choose_sasl_mechanism(std::span<const std::string_view> offered) {
    for (const auto name : offered) {
        if (name == kScramSha256) return kScramSha256;
    }
    return std::nullopt;
}

std::optional<std::string_view> choose_sasl_mechanism_from_list(std::string_view nul_separated) {
    while (!nul_separated.empty()) {
        const auto end = nul_separated.find('\0');
        const std::string_view name = nul_separated.substr(0, end);
        if (name == kScramSha256) return kScramSha256;
        if (end == std::string_view::npos) break;
        nul_separated.remove_prefix(end + 1);
    }
    return std::nullopt;
}

}  // namespace pgfront::auth
