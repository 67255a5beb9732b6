// SASLprep's mapping and prohibition steps over RFC 3454's tables (transcribed from the RFC),
// with PostgreSQL's raw-bytes fallback.
#include "auth/saslprep.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace pgfront::auth {

namespace {

struct Range {
    char32_t first;
    char32_t last;
};

// RFC 3454 C.1.2: non-ASCII space characters (mapped to U+0020 by RFC 4013 §2.1).
constexpr Range kNonAsciiSpace[] = {
    {0x00A0, 0x00A0}, {0x1680, 0x1680}, {0x2000, 0x200B},
    {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
};

// RFC 3454 B.1: commonly mapped to nothing.
constexpr Range kMappedToNothing[] = {
    {0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x1806, 0x1806}, {0x180B, 0x180D},
    {0x200B, 0x200D}, {0x2060, 0x2060}, {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF},
};

// RFC 4013 §2.3: C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9, merged and sorted.
constexpr Range kProhibited[] = {
    {0x0000, 0x001F},   {0x007F, 0x009F},   {0x00A0, 0x00A0},    {0x0340, 0x0341},
    {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x1680, 0x1680},    {0x180E, 0x180E},
    {0x2000, 0x200F},   {0x2028, 0x202F},   {0x205F, 0x2063},    {0x206A, 0x206F},
    {0x2FF0, 0x2FFB},   {0x3000, 0x3000},   {0xD800, 0xF8FF},    {0xFDD0, 0xFDEF},
    {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFF},   {0x1D173, 0x1D17A},  {0x1FFFE, 0x1FFFF},
    {0x2FFFE, 0x2FFFF}, {0x3FFFE, 0x3FFFF}, {0x4FFFE, 0x4FFFF},  {0x5FFFE, 0x5FFFF},
    {0x6FFFE, 0x6FFFF}, {0x7FFFE, 0x7FFFF}, {0x8FFFE, 0x8FFFF},  {0x9FFFE, 0x9FFFF},
    {0xAFFFE, 0xAFFFF}, {0xBFFFE, 0xBFFFF}, {0xCFFFE, 0xCFFFF},  {0xDFFFE, 0xDFFFF},
    {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xEFFFE, 0x10FFFF},
};

// Latin-1 characters with a compatibility decomposition, which NFKC changes.
constexpr Range kLatin1Compatibility[] = {
    {0x00A8, 0x00A8}, {0x00AA, 0x00AA}, {0x00AF, 0x00AF},
    {0x00B2, 0x00B5}, {0x00B8, 0x00BA}, {0x00BC, 0x00BE},
};

bool in(std::span<const Range> table, char32_t c) {
    const auto it = std::upper_bound(table.begin(), table.end(), c,
                                     [](char32_t v, const Range& r) { return v < r.first; });
    return it != table.begin() && c <= std::prev(it)->last;
}

// Strict RFC 3629 decoding; nullopt on any ill-formed sequence.
std::optional<std::vector<char32_t>> decode_utf8(std::string_view text) {
    std::vector<char32_t> out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b0 = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        char32_t c = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (b0 < 0x80) {
            out.push_back(b0);
            ++i;
            continue;
        } else if (b0 >= 0xC2 && b0 <= 0xDF) {
            length = 2;
            c = b0 & 0x1F;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            length = 3;
            c = b0 & 0x0F;
            if (b0 == 0xE0) lo = 0xA0;  // no overlongs
            if (b0 == 0xED) hi = 0x9F;  // no surrogates
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            length = 4;
            c = b0 & 0x07;
            if (b0 == 0xF0) lo = 0x90;  // no overlongs
            if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
        } else {
            return std::nullopt;
        }
        if (text.size() - i < length) return std::nullopt;
        for (std::size_t k = 1; k < length; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            const unsigned char min = k == 1 ? lo : 0x80;
            const unsigned char max = k == 1 ? hi : 0xBF;
            if (b < min || b > max) return std::nullopt;
            c = (c << 6) | (b & 0x3F);
        }
        out.push_back(c);
        i += length;
    }
    return out;
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

}  // namespace

SaslPrepResult saslprep(std::string_view password) {
    const bool ascii = std::all_of(password.begin(), password.end(),
                                   [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
    if (ascii) return {std::string(password), SaslPrepOutcome::ascii};

    const auto decoded = decode_utf8(password);
    if (!decoded) return {std::string(password), SaslPrepOutcome::invalid_utf8};

    // 1) Map.
    std::vector<char32_t> mapped;
    mapped.reserve(decoded->size());
    for (const char32_t c : *decoded) {
        if (in(kNonAsciiSpace, c)) {
            mapped.push_back(U' ');
        } else if (!in(kMappedToNothing, c)) {
            mapped.push_back(c);
        }
    }
    if (mapped.empty()) return {std::string(password), SaslPrepOutcome::prohibited};

    // 2) Normalize: not implemented (see the header). 3) Prohibit, on the mapped characters.
    bool stable = true;
    for (const char32_t c : mapped) {
        if (in(kProhibited, c)) return {std::string(password), SaslPrepOutcome::prohibited};
        if (c > 0xFF || in(kLatin1Compatibility, c)) stable = false;
    }

    SaslPrepResult result;
    result.outcome = stable ? SaslPrepOutcome::prepared : SaslPrepOutcome::not_normalized;
    for (const char32_t c : mapped) append_utf8(result.password, c);
    return result;
}

}  // namespace pgfront::auth
