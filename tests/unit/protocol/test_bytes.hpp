// Helpers for the protocol unit tests: byte strings from hex or text, framing of a payload,
// and hex dumps so a failed comparison shows the bytes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "protocol/bytes.hpp"

namespace pgfront::protocol::test {

// "00 03 0a" -> {0x00, 0x03, 0x0a}; spaces are ignored.
inline ByteBuffer hex(std::string_view text) {
    ByteBuffer out;
    int high = -1;
    for (const char c : text) {
        int v = 0;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else
            continue;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::byte>(high * 16 + v));
            high = -1;
        }
    }
    return out;
}

// Text bytes as they are, embedded NULs included (pass a std::string_view literal: "a\0b"sv).
inline ByteBuffer raw(std::string_view text) {
    const auto b = as_bytes(text);
    return {b.begin(), b.end()};
}

inline ByteBuffer cat(std::initializer_list<ByteBuffer> parts) {
    ByteBuffer out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

inline ByteBuffer be32(std::uint32_t v) {
    return {std::byte(v >> 24), std::byte((v >> 16) & 0xff), std::byte((v >> 8) & 0xff),
            std::byte(v & 0xff)};
}

// A typed message around `payload`, length computed.
inline ByteBuffer frame(char type, const ByteBuffer& payload) {
    return cat({ByteBuffer{std::byte(type)}, be32(static_cast<std::uint32_t>(payload.size() + 4)),
                payload});
}

inline std::string dump(Bytes bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const auto b : bytes) {
        const auto v = std::to_integer<unsigned>(b);
        if (!out.empty()) out += ' ';
        out += digits[v >> 4];
        out += digits[v & 15];
    }
    return out;
}

}  // namespace pgfront::protocol::test
