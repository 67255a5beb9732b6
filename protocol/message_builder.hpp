// Encoding of one message into a caller's buffer: type byte, a length word patched when the
// body is complete, and big-endian primitive fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/bytes.hpp"

namespace pgfront::protocol {

// Usage: MessageBuilder m(out, 'Q'); m.cstring(sql); m.finish();
// Appends only; bytes already in the buffer are left as they are, so many messages can be
// batched into one buffer and written with one system call.
class MessageBuilder {
  public:
    // type 0 starts a startup-phase packet, which has no type byte.
    MessageBuilder(ByteBuffer& out, char type);

    MessageBuilder& u8(std::uint8_t value);
    MessageBuilder& i16(std::int16_t value);
    MessageBuilder& u32(std::uint32_t value);
    MessageBuilder& i32(std::int32_t value) { return u32(static_cast<std::uint32_t>(value)); }
    // A String field. Text after an embedded NUL is dropped: a NUL inside would end the
    // field early on the other side and desynchronize every field after it.
    MessageBuilder& cstring(std::string_view text);
    MessageBuilder& bytes(Bytes data);
    // Writes the length word (which counts itself but not the type byte).
    void finish();
    // Writes the length word of a message whose last `rest` bytes are not in the buffer (the
    // caller sends them after it, e.g. the rest of a message passing in pieces).
    void finish_head(std::size_t rest);

  private:
    ByteBuffer& out_;
    std::size_t length_at_;
};

}  // namespace pgfront::protocol
