// Byte-span vocabulary shared by the codec: the caller-owned output buffer type and the
// conversions between text and bytes that every view and writer needs.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace pgfront::protocol {

// Writers append whole messages to a buffer the caller owns and reuses.
using ByteBuffer = std::vector<std::byte>;

using Bytes = std::span<const std::byte>;

inline Bytes as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

inline std::string_view as_text(Bytes bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace pgfront::protocol
