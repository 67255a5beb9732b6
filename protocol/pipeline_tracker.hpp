// PipelineTracker: follows one server connection's request/reply stream and answers "is this
// server at a transaction boundary?". Pure: fed messages, never touches a socket.
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>

#include "protocol/backend_status.hpp"
#include "protocol/bytes.hpp"

namespace pgfront::protocol {

// Feed it every frontend message in the order it is forwarded to the server, and every
// backend message in the order it arrives, both after the server's first ReadyForQuery.
//
// It models the server as the docs describe it ("Message Flow"): each forwarded message is
// queued with the replies it will produce; backend messages are matched against the oldest
// one. Rules that matter:
//  - Query and FunctionCall end with one ReadyForQuery; Sync ends an extended batch with one.
//  - An ErrorResponse to Parse/Bind/Describe/Execute/Close makes the server discard every
//    message up to the next Sync (including any Query or FunctionCall in between).
//  - During copy-in the server reads and ignores Sync and Flush (libpq sends Sync right
//    after Execute, before it learns the command was a COPY), takes CopyData until CopyDone
//    or CopyFail, and fails the COPY on any other message.
//  - Outside copy-in, CopyData/CopyDone/CopyFail are ignored. Flush never has a reply.
//  - Parse/Bind/Describe/Execute/Close open a batch that only Sync (or Query/FunctionCall,
//    which end with ReadyForQuery too) closes; until then the server is no boundary.
// Anything the model cannot attribute makes the connection unreusable rather than guessed.
class PipelineTracker {
  public:
    struct Result {
        bool ok = true;
        std::string_view problem;  // static text when !ok
        explicit operator bool() const { return ok; }
    };

    // A fresh tracker describes a server idle after startup: nothing outstanding, status 'I'.
    PipelineTracker() = default;

    // !ok means the stream broke the protocol; the tracker then stays unusable.
    Result on_frontend(char type, Bytes payload);
    Result on_backend(char type, Bytes payload);

    // Every forwarded message answered, last ReadyForQuery 'I', no batch left without Sync,
    // and the connection still healthy: the server may be handed to another client.
    bool at_boundary() const;
    // The last ReadyForQuery said 'T' or 'E'.
    bool in_transaction() const { return status_ != TransactionStatus::idle; }
    TransactionStatus transaction_status() const { return status_; }
    // Forwarded messages whose replies have not all arrived (Flush and copy data excluded).
    std::size_t outstanding_requests() const { return requests_; }
    // ReadyForQuery messages still to come.
    std::size_t outstanding_ready_for_query() const { return ready_expected_; }
    // The server sends replies without waiting for more from the client: a Sync, Query or
    // FunctionCall is outstanding (the server flushes everything before it), a Flush follows
    // requests not yet answered, or a COPY streams to the client. Outstanding extended
    // messages alone are not enough: the server holds their replies until Sync or Flush, so
    // a proxy waiting for them while the rest of the client's batch is still in flight
    // would wait forever.
    bool replies_due() const;
    bool in_copy() const;
    // COPY FROM STDIN is under way: the server waits for the client's CopyData/CopyDone.
    bool awaiting_copy_data() const { return phase_ == Phase::copy_in; }
    // The server is discarding messages until the client sends Sync.
    bool skipping_to_sync() const { return skipping_; }
    // False after Terminate, a FATAL/PANIC error, a protocol violation, or an error in a
    // COPY whose data stream contained Syncs (which of them the server saw is unknowable).
    // Such a connection must be closed, never pooled.
    bool reusable() const { return unusable_reason_.empty(); }
    std::string_view unusable_reason() const { return unusable_reason_; }

  private:
    // What a forwarded message still owes. The copy_* entries are markers: they produce no
    // reply but matter to a COPY in progress ahead of them.
    enum class Pending : std::uint8_t {
        parse,
        bind,
        describe_statement,
        describe_portal,
        execute,
        close,
        sync,
        query,
        function_call,
        copy_data,
        copy_done,
        copy_fail,
    };
    // Progress of the oldest pending message.
    enum class Phase : std::uint8_t {
        start,           // nothing received for it yet (Query: between results)
        described,       // Describe of a statement: ParameterDescription seen
        returned,        // FunctionCall: FunctionCallResponse seen
        failed,          // Query/FunctionCall: ErrorResponse seen, ReadyForQuery next
        copy_in,         // server reads the client's CopyData
        copy_in_done,    // server read CopyDone, CommandComplete next
        copy_in_failed,  // server read CopyFail or a non-copy message, ErrorResponse next
        copy_out,        // server sends CopyData until CopyDone
        copy_out_done,   // Execute: server sent CopyDone, CommandComplete next
        copy_both,       // both directions stream CopyData
    };

    static bool is_marker(Pending p);
    static bool expects_ready(Pending p);

    void push(Pending p);
    void pop_front();
    void erase_second();
    bool unsynced_in_queue() const;
    void settle();
    void skip_to_sync();
    bool reply(char type, Bytes payload);
    bool execute_reply(char type);
    bool query_reply(char type, Bytes payload);
    bool ready_for_query(Bytes payload);
    Result error_response(Bytes payload);
    Result violation(std::string_view problem);
    void make_unusable(std::string_view reason);

    std::deque<Pending> queue_;
    Phase phase_ = Phase::start;
    bool copy_data_seen_ = false;        // the head's copy-in consumed CopyData
    bool sync_after_copy_data_ = false;  // ... and then a Sync
    bool skipping_ = false;
    bool unsynced_ = false;  // extended messages the server will run, no Sync after them
    bool violated_ = false;
    TransactionStatus status_ = TransactionStatus::idle;
    std::size_t requests_ = 0;
    std::size_t ready_expected_ = 0;
    std::size_t flush_owed_ = 0;  // oldest outstanding requests a Flush made the server send
    std::string_view unusable_reason_;
};

}  // namespace pgfront::protocol
