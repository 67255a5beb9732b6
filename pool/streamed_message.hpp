// Messages too large to hold whole go on in pieces. Once the head of such a message is in,
// its bytes are forwarded as they arrive, so a 500 MB row costs pgfront a read buffer, not
// 500 MB (and a client announcing a huge message cannot make pgfront allocate it). Only
// messages whose contents pgfront never reads qualify; the rest are held whole, up to
// pool.max_packet_size.
#pragma once

#include <cstddef>
#include <optional>

#include "protocol/bytes.hpp"

namespace pgfront::pool {

// Messages up to this size (type byte and length word included) are held whole: most arrive
// in one read, and the framing code stays simple for them.
inline constexpr std::size_t stream_threshold = 64 * 1024;

struct StreamedMessage {
    char type = 0;
    std::size_t size = 0;  // the whole frame: type byte, length word and payload
};

// `pending` starts at a message that is not complete yet and whose header is valid (the
// frame reader said "need more"). From the server: DataRow and CopyData.
std::optional<StreamedMessage> streamed_server_message(protocol::Bytes pending);

// From the client: CopyData and FunctionCall always; Query, Parse and Bind too when
// `rewrites_statements` is false (session mode: nothing reads their contents). When it is
// true, Parse and Bind only for the unnamed statement, once the names are in (named ones are
// rewritten), and never a Query (it may be a DEALLOCATE or DISCARD the rewriter must see).
std::optional<StreamedMessage> streamed_client_message(protocol::Bytes pending, bool rewrites_statements);

}  // namespace pgfront::pool
