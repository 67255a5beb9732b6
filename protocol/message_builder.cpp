// Appending big-endian fields and patching the length word.
#include "protocol/message_builder.hpp"

namespace pgfront::protocol {

MessageBuilder::MessageBuilder(ByteBuffer& out, char type) : out_(out) {
    if (type != 0) out_.push_back(static_cast<std::byte>(type));
    length_at_ = out_.size();
    out_.insert(out_.end(), 4, std::byte{0});
}

MessageBuilder& MessageBuilder::u8(std::uint8_t value) {
    out_.push_back(static_cast<std::byte>(value));
    return *this;
}

MessageBuilder& MessageBuilder::i16(std::int16_t value) {
    const auto raw = static_cast<std::uint16_t>(value);
    out_.push_back(static_cast<std::byte>(raw >> 8));
    out_.push_back(static_cast<std::byte>(raw & 0xff));
    return *this;
}

MessageBuilder& MessageBuilder::u32(std::uint32_t value) {
    out_.push_back(static_cast<std::byte>(value >> 24));
    out_.push_back(static_cast<std::byte>((value >> 16) & 0xff));
    out_.push_back(static_cast<std::byte>((value >> 8) & 0xff));
    out_.push_back(static_cast<std::byte>(value & 0xff));
    return *this;
}

MessageBuilder& MessageBuilder::cstring(std::string_view text) {
    text = text.substr(0, text.find('\0'));
    bytes(as_bytes(text));
    out_.push_back(std::byte{0});
    return *this;
}

MessageBuilder& MessageBuilder::bytes(Bytes data) {
    out_.insert(out_.end(), data.begin(), data.end());
    return *this;
}

void MessageBuilder::finish() { finish_head(0); }

void MessageBuilder::finish_head(std::size_t rest) {
    const auto length = static_cast<std::uint32_t>(out_.size() - length_at_ + rest);
    out_[length_at_] = static_cast<std::byte>(length >> 24);
    out_[length_at_ + 1] = static_cast<std::byte>((length >> 16) & 0xff);
    out_[length_at_ + 2] = static_cast<std::byte>((length >> 8) & 0xff);
    out_[length_at_ + 3] = static_cast<std::byte>(length & 0xff);
}

}  // namespace pgfront::protocol
