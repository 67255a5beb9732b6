// Fuzz target: the prepared-statement rewriter between random client messages (named and
// unnamed Parse/Bind/Describe/Close, DEALLOCATE/DISCARD queries, Sync) and random server
// replies, over two server connections a client switches between at boundaries. Whatever
// arrives it must not crash, and what it sends the server must always be whole messages.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pool/statement_rewriter.hpp"
#include "protocol/frame_reader.hpp"
#include "protocol/message_writer.hpp"

using namespace pgfront;
using namespace std::string_view_literals;

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

constexpr std::string_view names[] = {""sv, "a"sv, "b"sv, "pgfront_1"sv};
constexpr std::string_view queries[] = {"SELECT 1"sv, "SELECT $1"sv, "DEALLOCATE a"sv, "DEALLOCATE ALL"sv,
                                        "DISCARD ALL"sv, "SELECT 1; DEALLOCATE b"sv};

void client_message(protocol::ByteBuffer& out, std::uint8_t op, std::uint8_t arg) {
    const auto name = names[arg % 4];
    switch (op % 8) {
        case 0: protocol::write_parse(out, name, queries[arg % 2]); break;
        case 1: protocol::write_bind(out, "", name, {}, {}, {}); break;
        case 2: protocol::write_describe(out, protocol::TargetKind::statement, name); break;
        case 3: protocol::write_close(out, protocol::TargetKind::statement, name); break;
        case 4: protocol::write_execute(out, ""); break;
        case 5: protocol::write_sync(out); break;
        case 6: protocol::write_query(out, queries[arg % 6]); break;
        default: protocol::write_flush(out); break;
    }
}

void server_message(protocol::ByteBuffer& out, std::uint8_t op, std::uint8_t arg) {
    switch (op % 9) {
        case 0: protocol::write_parse_complete(out); break;
        case 1: protocol::write_bind_complete(out); break;
        case 2: protocol::write_close_complete(out); break;
        case 3: protocol::write_no_data(out); break;
        case 4: protocol::write_command_complete(out, "SELECT 1"); break;
        case 5:
            protocol::write_error_response(out, {arg & 1 ? protocol::Severity::fatal : protocol::Severity::error,
                                                 "42601", "x"});
            break;
        case 6:
            protocol::write_ready_for_query(out, arg & 1 ? protocol::TransactionStatus::in_transaction
                                                         : protocol::TransactionStatus::idle);
            break;
        case 7: protocol::write_parameter_status(out, "TimeZone", "UTC"); break;
        default: protocol::write_notice_response(out, {protocol::Severity::notice, "00000", "n"}); break;
    }
}

// Every byte written for the server must split into whole frontend messages.
void require_whole_messages(const protocol::ByteBuffer& bytes, protocol::Sender from) {
    protocol::Bytes rest(bytes);
    while (!rest.empty()) {
        const auto frame = protocol::read_frame(rest, from);
        require(frame.is_frame());
        rest = rest.subspan(frame.consumed);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pool::StatementRegistry registry;
    pool::ClientStatements client;
    pool::ServerStatementCache caches[2] = {pool::ServerStatementCache(2), pool::ServerStatementCache(2)};
    protocol::PipelineTracker trackers[2];
    pool::StatementRewriter rewriter;
    int server = 0;
    for (std::size_t i = 0; i + 2 < size; i += 3) {
        const auto op = data[i], arg = data[i + 1], target = data[i + 2];
        pool::StatementContext context{client, caches[server], registry, trackers[server]};
        protocol::ByteBuffer message, out;
        if (target & 1) {
            client_message(message, op, arg);
            const auto frame = protocol::read_frame(message, protocol::Sender::frontend);
            require(frame.is_frame());
            if (!rewriter.on_client(frame.type, frame.payload, context, out)) return 0;
            require_whole_messages(out, protocol::Sender::frontend);
            out.clear();
            rewriter.flush_answers(context, out);
        } else {
            server_message(message, op, arg);
            const auto frame = protocol::read_frame(message, protocol::Sender::backend);
            require(frame.is_frame());
            if (!rewriter.on_server(frame.type, frame.payload, message, context, out)) return 0;
        }
        require_whole_messages(out, protocol::Sender::backend);
        // At a boundary the client may move to the other server connection.
        if ((target & 6) == 6 && trackers[server].at_boundary() && !rewriter.has_answers()) {
            rewriter.reset();
            server ^= 1;
            if (!trackers[server].reusable()) trackers[server] = protocol::PipelineTracker();
        }
    }
    return 0;
}
