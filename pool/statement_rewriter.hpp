// StatementRewriter: lets a client use named prepared statements while its transactions run
// on whichever server connection the pool lends. Pure: it edits messages in buffers and never
// touches a socket.
//
// Client to server: Parse of a named statement goes to the server under the statement's
// pgfront-owned name, or not at all when that server already has it (pgfront then answers
// ParseComplete itself). Bind and Describe of a statement the server lacks are preceded by a
// Parse pgfront injects; their names are rewritten. Close of a named statement and a simple
// `DEALLOCATE name` only drop the client's name (answered by pgfront); `DEALLOCATE ALL` and
// `DISCARD ALL` run on the server and, once they succeed, empty both sides' tables.
//
// Server to client: replies to injected messages are swallowed, replies pgfront owes are
// written in the place the client expects them, and an error that makes the server skip to
// Sync also cancels pgfront's own answers for the messages it skipped, as PostgreSQL would.
//
// To keep the two streams aligned it mirrors the PipelineTracker's queue of outstanding
// requests: every request sent to the server is a slot (runs of plain ones are counted, not
// stored), and pgfront's own answers sit between them in order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pool/fifo_queue.hpp"
#include "pool/prepared_statements.hpp"
#include "protocol/bytes.hpp"
#include "protocol/pipeline_tracker.hpp"

namespace pgfront::pool {

struct StatementContext {
    ClientStatements& client;
    ServerStatementCache& server;
    StatementRegistry& registry;
    protocol::PipelineTracker& tracker;
};

class StatementRewriter {
public:
    struct Result {
        bool ok = true;
        std::string_view problem;  // static text when !ok
        explicit operator bool() const { return ok; }
    };

    // Whether this client message must go through on_client (names a prepared statement, or
    // may drop some); everything else may take the plain path.
    static bool wants(char type, protocol::Bytes payload);

    // A client message bound for the server: appends what the server must receive instead
    // (possibly nothing) to `to_server`, and feeds the tracker with it.
    Result on_client(char type, protocol::Bytes payload, StatementContext context, protocol::ByteBuffer& to_server);
    // A client message forwarded unchanged; the caller feeds nothing else to the tracker.
    Result on_plain_client(char type, protocol::Bytes payload, protocol::PipelineTracker& tracker);
    // The head of a Bind too large to hold whole (pool/streamed_message.hpp): `names` is its
    // portal and statement names with their NULs, `rest` the size of everything after them.
    // Appends what the server must receive before that rest (a Parse the statement needs
    // first, then the Bind's type, length and names, the statement under the server's name),
    // as on_client does for a whole Bind; the caller forwards the rest unchanged.
    Result on_client_bind_head(protocol::Bytes names, std::size_t rest, StatementContext context,
                               protocol::ByteBuffer& to_server);
    // A query that may have dropped statements went by without being read whole.
    void distrust_server();

    // A server message: appends to `to_client` what the client must receive for it (the
    // message itself unless it answers an injected request, plus answers pgfront owes).
    Result on_server(char type, protocol::Bytes payload, protocol::Bytes frame, StatementContext context,
                     protocol::ByteBuffer& to_client);
    // A server message forwarded unchanged; only valid while !has_answers().
    Result on_plain_server(char type, protocol::Bytes payload, protocol::PipelineTracker& tracker);

    // Answers pgfront owes that nothing outstanding precedes: write them now.
    void flush_answers(StatementContext context, protocol::ByteBuffer& to_client);

    // Slots that need more than forwarding: while zero the caller may forward server
    // messages without copying them.
    bool has_answers() const { return special_ > 0; }
    // The server's table of prepared statements may no longer match the cache (an eviction
    // was skipped, or a query may have dropped statements): don't reuse this server.
    bool server_doubtful() const { return server_doubtful_; }
    // A new lease: forget the old server's slots (it was at a boundary, so there are none).
    void reset();

private:
    enum class Kind : std::uint8_t {
        plain,            // `count` requests forwarded as they were
        parse_named,      // the client's Parse, sent under the pgfront name
        parse_injected,   // pgfront's Parse ahead of a Bind/Describe: reply swallowed
        parse_duplicate,  // stands in for a Parse of a name the client already uses
        close_injected,   // pgfront's Close of an evicted statement: reply swallowed
        release_query,    // DEALLOCATE ALL / DISCARD ALL, or a query that may drop statements
        answer_parse,     // pgfront answers ParseComplete
        answer_close,     // pgfront answers CloseComplete
        answer_deallocate // pgfront answers "DEALLOCATE" and ReadyForQuery
    };
    struct Slot {
        Kind kind = Kind::plain;
        std::uint32_t count = 0;
        bool failed = false;
        bool unclear = false;  // release_query: can't tell what it dropped
        StatementPtr statement;
        std::string client_name;
    };

    static bool is_answer(Kind kind) {
        return kind == Kind::answer_parse || kind == Kind::answer_close || kind == Kind::answer_deallocate;
    }

    Result send(char type, protocol::Bytes payload, protocol::PipelineTracker& tracker, Slot slot);
    Result forward(char type, protocol::Bytes payload, protocol::PipelineTracker& tracker,
                   protocol::ByteBuffer& to_server);
    void push_plain(std::size_t count);
    void push(Slot slot);
    Slot pop();
    Result prepare(const StatementPtr& statement, Kind kind, std::string_view client_name, StatementContext& context,
                   protocol::ByteBuffer& to_server);
    Result ensure_prepared(const StatementPtr& statement, StatementContext& context, protocol::ByteBuffer& to_server);
    Result parse(protocol::Bytes payload, StatementContext& context, protocol::ByteBuffer& to_server);
    Result simple_query(protocol::Bytes payload, StatementContext& context, protocol::ByteBuffer& to_server);
    void complete(Slot& slot, StatementContext& context);
    void cancel(Slot& slot, StatementContext& context);
    void answer(Slot& slot, StatementContext& context, protocol::ByteBuffer& to_client);
    void retire(std::size_t requests, bool skipped_by_error, StatementContext& context, protocol::ByteBuffer& to_client);

    FifoQueue<Slot> slots_;
    std::size_t special_ = 0;
    bool server_doubtful_ = false;
};

}  // namespace pgfront::pool
