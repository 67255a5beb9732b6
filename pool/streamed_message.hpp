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
    // A Bind of a named statement, whose name the rewriter maps: the bytes of its type, length
    // and names, which go through StatementRewriter::on_client_bind_head; the rest passes
    // unchanged. 0: all of the message passes unchanged.
    std::size_t rewritten_head = 0;
    // A Query whose text must be watched for DEALLOCATE/DISCARD as it passes
    // (pool/release_words.hpp).
    bool watch_release_words = false;
};

// `pending` starts at a message that is not complete yet and whose header is valid (the
// frame reader said "need more"). From the server: DataRow and CopyData.
std::optional<StreamedMessage> streamed_server_message(protocol::Bytes pending);

// From the client: CopyData, FunctionCall, Query and Bind, and Parse when
// `rewrites_statements` is false (session mode: nothing reads their contents). When it is
// true (transaction and statement mode): a Bind once its names are in (a named statement's
// with rewritten_head), a Query with its text watched, and a Parse only of the unnamed
// statement (a named one's text is kept by the rewriter).
std::optional<StreamedMessage> streamed_client_message(protocol::Bytes pending, bool rewrites_statements);

}  // namespace pgfront::pool
