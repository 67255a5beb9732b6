// Parsers of the tls: section's values (see tls_config.hpp).
#include "conf/tls_config.hpp"

namespace pgfront::conf {

std::optional<TlsMode> parse_tls_mode(std::string_view text) {
    if (text == "disable") return TlsMode::disable;
    if (text == "allow") return TlsMode::allow;
    if (text == "prefer") return TlsMode::prefer;
    if (text == "require") return TlsMode::require;
    if (text == "verify-ca") return TlsMode::verify_ca;
    if (text == "verify-full") return TlsMode::verify_full;
    return std::nullopt;
}

std::string_view to_string(TlsMode mode) {
    switch (mode) {
        case TlsMode::disable:
            return "disable";
        case TlsMode::allow:
            return "allow";
        case TlsMode::prefer:
            return "prefer";
        case TlsMode::require:
            return "require";
        case TlsMode::verify_ca:
            return "verify-ca";
        case TlsMode::verify_full:
            return "verify-full";
    }
    return "?";
}

std::optional<std::uint8_t> parse_tls_protocols(std::string_view text) {
    std::uint8_t protocols = 0;
    bool any = false;
    while (!text.empty()) {
        const auto cut = text.find_first_of(", ");
        const auto word = text.substr(0, cut);
        text = cut == std::string_view::npos ? std::string_view{} : text.substr(cut + 1);
        if (word.empty()) continue;
        any = true;
        if (word == "secure")
            protocols |= tls_protocols_secure;
        else if (word == "all")
            protocols |= tls_protocols_all;
        else if (word == "tlsv1.0")
            protocols |= tls_v1_0;
        else if (word == "tlsv1.1")
            protocols |= tls_v1_1;
        else if (word == "tlsv1.2")
            protocols |= tls_v1_2;
        else if (word == "tlsv1.3")
            protocols |= tls_v1_3;
        else
            return std::nullopt;
    }
    if (!any) return std::nullopt;
    return protocols;
}

}  // namespace pgfront::conf
