// See log_line_escape.hpp.
#include "app/log_line_escape.hpp"

#include <cstdint>

namespace pgfront::app {
namespace {

// Length of the valid UTF-8 sequence at the start of `text`, or 0 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text) {
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
    const auto continuation = [&](std::size_t i) { return i < text.size() && (byte(i) & 0xC0) == 0x80; };
    const std::uint8_t lead = byte(0);
    if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (!continuation(1) || !continuation(2)) return 0;
        if (lead == 0xE0 && byte(1) < 0xA0) return 0;  // overlong
        if (lead == 0xED && byte(1) > 0x9F) return 0;  // surrogate
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
        if (lead == 0xF0 && byte(1) < 0x90) return 0;  // overlong
        if (lead == 0xF4 && byte(1) > 0x8F) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

void append(std::string_view text, spdlog::memory_buf_t& out) { out.append(text.data(), text.data() + text.size()); }

void append_hex(std::uint8_t value, spdlog::memory_buf_t& out) {
    constexpr std::string_view digits = "0123456789abcdef";
    append("\\x", out);
    out.push_back(digits[value >> 4]);
    out.push_back(digits[value & 0x0F]);
}

}  // namespace

void append_escaped(std::string_view text, spdlog::memory_buf_t& out) {
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<std::uint8_t>(text[i]);
        if (byte == '\\') {
            append("\\\\", out);
            ++i;
        } else if (byte >= 0x20 && byte < 0x7F) {
            out.push_back(static_cast<char>(byte));
            ++i;
        } else if (const auto length = byte >= 0x80 ? utf8_sequence_length(text.substr(i)) : 0; length > 0) {
            append(text.substr(i, length), out);
            i += length;
        } else {
            append_hex(byte, out);
            ++i;
        }
    }
}

void EscapedMessageFlag::format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& dest) {
    append_escaped(std::string_view(message.payload.data(), message.payload.size()), dest);
}

std::unique_ptr<spdlog::custom_flag_formatter> EscapedMessageFlag::clone() const {
    return std::make_unique<EscapedMessageFlag>();
}

}  // namespace pgfront::app
