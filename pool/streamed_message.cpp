// Which partial messages may go on in pieces (see streamed_message.hpp).
#include "pool/streamed_message.hpp"

#include <algorithm>

#include "protocol/frame_reader.hpp"
#include "protocol/message_type.hpp"
#include "protocol/wire_reader.hpp"

namespace pgfront::pool {
namespace {

constexpr std::size_t header_size = protocol::typed_header_size;

std::optional<StreamedMessage> large_message(protocol::Bytes pending) {
    if (pending.size() < header_size) return std::nullopt;
    const std::size_t size = 1 + protocol::load_u32(pending.data() + 1);
    if (size <= stream_threshold) return std::nullopt;
    return StreamedMessage{static_cast<char>(std::to_integer<unsigned char>(pending[0])), size};
}

// Where the NUL that ends the string starting at `at` is, if it has arrived.
std::optional<std::size_t> string_end(protocol::Bytes bytes, std::size_t at) {
    if (at >= bytes.size()) return std::nullopt;
    const auto found = std::find(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.end(), std::byte{0});
    if (found == bytes.end()) return std::nullopt;
    return static_cast<std::size_t>(found - bytes.begin());
}

// The size of a Bind's type, length and two names (portal, statement) if they have all
// arrived, and whether the statement has a name.
struct BindHead {
    std::size_t size = 0;
    bool named_statement = false;
};
std::optional<BindHead> bind_head(protocol::Bytes pending) {
    const auto portal_end = string_end(pending, header_size);
    if (!portal_end) return std::nullopt;
    const auto statement_end = string_end(pending, *portal_end + 1);
    if (!statement_end) return std::nullopt;
    return BindHead{*statement_end + 1, *statement_end > *portal_end + 1};
}

}  // namespace

std::optional<StreamedMessage> streamed_server_message(protocol::Bytes pending) {
    auto message = large_message(pending);
    if (!message) return std::nullopt;
    if (message->type != protocol::backend::data_row && message->type != protocol::backend::copy_data)
        return std::nullopt;
    return message;
}

std::optional<StreamedMessage> streamed_client_message(protocol::Bytes pending, bool rewrites_statements) {
    auto message = large_message(pending);
    if (!message) return std::nullopt;
    switch (message->type) {
        case protocol::frontend::copy_data:
        case protocol::frontend::function_call:
            return message;
        case protocol::frontend::query:
            message->watch_release_words = rewrites_statements;
            return message;
        case protocol::frontend::parse:
            // A named statement's text is kept by the rewriter: that Parse stays whole.
            if (rewrites_statements && !(pending.size() > header_size && pending[header_size] == std::byte{0}))
                return std::nullopt;
            return message;
        case protocol::frontend::bind:
            if (rewrites_statements) {
                const auto head = bind_head(pending);
                if (!head) return std::nullopt;
                if (head->named_statement) message->rewritten_head = head->size;  // the unnamed one passes as it is
            }
            return message;
        default:
            return std::nullopt;
    }
}

}  // namespace pgfront::pool
