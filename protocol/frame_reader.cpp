// Frame splitting for both framings; all bounds are checked before any byte is touched.
#include "protocol/frame_reader.hpp"

#include "protocol/wire_reader.hpp"

namespace pgfront::protocol {
namespace {

FrameResult need_more(std::size_t needed) {
    FrameResult r;
    r.status = FrameResult::Status::need_more;
    r.needed = needed;
    return r;
}

FrameResult error(std::string_view why) {
    FrameResult r;
    r.status = FrameResult::Status::error;
    r.error = why;
    return r;
}

}  // namespace

FrameResult read_frame(Bytes input, Sender from, std::size_t max_length) {
    constexpr std::size_t header = typed_header_size;
    if (input.empty()) return need_more(header);
    const char type = static_cast<char>(std::to_integer<unsigned char>(input[0]));
    if (!is_known_type(from, type)) return error("unknown message type");
    if (input.size() < header) return need_more(header);

    const std::int32_t length = static_cast<std::int32_t>(load_u32(input.data() + 1));
    if (length < 4) return error("invalid message length");
    const auto total_length = static_cast<std::size_t>(length);
    if (from == Sender::frontend && total_length > small_message_limit && is_small_frontend_message(type))
        return error("invalid message length");
    if (total_length > max_length) return error(message_over_limit);
    const std::size_t frame_size = 1 + total_length;
    if (input.size() < frame_size) return need_more(frame_size);

    FrameResult r;
    r.status = FrameResult::Status::frame;
    r.type = type;
    r.payload = input.subspan(header, total_length - 4);
    r.consumed = frame_size;
    return r;
}

FrameResult read_startup_frame(Bytes input, std::size_t max_length) {
    constexpr std::size_t header = 8;  // length + code
    if (input.size() < 4) return need_more(header);
    const std::int32_t length = static_cast<std::int32_t>(load_u32(input.data()));
    if (length < static_cast<std::int32_t>(header)) return error("invalid startup packet length");
    const auto total_length = static_cast<std::size_t>(length);
    if (total_length > max_length) return error("startup packet length exceeds limit");
    if (input.size() < total_length) return need_more(total_length);

    FrameResult r;
    r.status = FrameResult::Status::frame;
    r.code = load_u32(input.data() + 4);
    r.payload = input.subspan(4, total_length - 4);
    r.consumed = total_length;
    return r;
}

}  // namespace pgfront::protocol
