// The few wire-format facts the pass-through relay needs: startup packet codes, peeking at
// a backend message header, and building an ErrorResponse for the client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pgfront::proxy::wire {

inline constexpr std::uint32_t cancel_request_code = 80877102;
inline constexpr std::uint32_t ssl_request_code = 80877103;
inline constexpr std::uint32_t gssenc_request_code = 80877104;
inline constexpr std::uint32_t max_startup_packet = 10000;

inline constexpr std::string_view sqlstate_protocol_violation = "08P01";
inline constexpr std::string_view sqlstate_cannot_connect_now = "57P03";

inline std::uint32_t read_u32(const std::byte* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
           std::uint32_t(p[3]);
}

struct BackendFrame {
    char type;
    std::span<const std::byte> body;
    std::size_t size;  // type byte + length word + body
};

// A whole backend message at the start of `bytes`, or nullopt when more bytes are needed.
// A length below 4 yields a frame of size 5 so a caller never loops on a corrupt header.
inline std::optional<BackendFrame> peek_backend_frame(std::span<const std::byte> bytes) {
    if (bytes.size() < 5) return std::nullopt;
    const auto length = read_u32(bytes.data() + 1);
    const std::size_t body = length < 4 ? 0 : length - 4;
    if (bytes.size() < 5 + body) return std::nullopt;
    return BackendFrame{static_cast<char>(bytes[0]), bytes.subspan(5, body), 5 + body};
}

// ParameterStatus body "name\0value\0" equals the given pair.
inline bool is_parameter(std::span<const std::byte> body, std::string_view name, std::string_view value) {
    const std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
    return text.size() == name.size() + value.size() + 2 && text.substr(0, name.size()) == name &&
           text[name.size()] == '\0' && text.substr(name.size() + 1, value.size()) == value;
}

inline std::vector<std::byte> error_response(std::string_view sqlstate, std::string_view message) {
    std::vector<std::byte> out;
    auto put = [&](std::string_view s) {
        for (char c : s) out.push_back(static_cast<std::byte>(c));
    };
    auto field = [&](char code, std::string_view s) {
        out.push_back(static_cast<std::byte>(code));
        put(s);
        out.push_back(std::byte{0});
    };
    out.push_back(static_cast<std::byte>('E'));
    out.resize(5);
    field('S', "FATAL");
    field('V', "FATAL");
    field('C', sqlstate);
    field('M', message);
    out.push_back(std::byte{0});
    const auto length = static_cast<std::uint32_t>(out.size() - 1);
    for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<std::byte>(length >> (24 - 8 * i));
    return out;
}

}  // namespace pgfront::proxy::wire
