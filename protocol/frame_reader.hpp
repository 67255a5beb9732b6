// Splitting a byte stream into protocol v3 frames: startup-phase packets (Int32 length,
// Int32 code, no type byte) and typed messages (Byte1 type, Int32 length including itself).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/bytes.hpp"
#include "protocol/message_type.hpp"

namespace pgfront::protocol {

// Limits apply to the length word, which counts itself. PostgreSQL allows typed messages up
// to 1 GB and startup packets up to 10000 bytes (MAX_STARTUP_PACKET_LENGTH).
inline constexpr std::size_t default_max_message_length = std::size_t{1} << 30;
inline constexpr std::size_t default_max_startup_length = 10000;
// A typed message's type byte and length word.
inline constexpr std::size_t typed_header_size = 5;

// FrameResult::error of a typed message longer than the caller's limit (the one error a
// caller may want to tell apart: the stream is well formed, the message just too big).
inline constexpr std::string_view message_over_limit = "message length exceeds limit";

struct FrameResult {
    enum class Status : std::uint8_t { frame, need_more, error };

    Status status = Status::need_more;
    char type = 0;           // typed messages; 0 for startup packets
    std::uint32_t code = 0;  // startup packets: protocol version or request code
    // frame: the bytes after the length word (for a startup packet they begin with the
    // code, so every startup view parses the whole payload). Points into the input.
    Bytes payload;
    std::size_t consumed = 0;  // frame: size of the whole frame, to drop from the input
    // need_more: bytes the frame needs in total from the start of the input, when the
    // header is complete; otherwise the header size. Lets a caller size its buffer.
    std::size_t needed = 0;
    std::string_view error;  // error: why the stream is a protocol violation (static text)

    bool is_frame() const { return status == Status::frame; }
    bool is_need_more() const { return status == Status::need_more; }
    bool is_error() const { return status == Status::error; }
};

// One typed message from the start of `input`. The type byte is checked against the
// messages `from` may send at all (see is_known_type) as soon as it arrives, and the length
// as soon as it is complete (a client's small messages against small_message_limit, as
// PostgreSQL does), so garbage is rejected without waiting for a bogus body.
FrameResult read_frame(Bytes input, Sender from,
                       std::size_t max_length = default_max_message_length);

// One startup-phase packet (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest) from
// the start of `input`. The code is returned, not judged: see classify_startup.
FrameResult read_startup_frame(Bytes input, std::size_t max_length = default_max_startup_length);

}  // namespace pgfront::protocol
