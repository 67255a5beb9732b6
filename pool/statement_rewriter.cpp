// See statement_rewriter.hpp for what is rewritten and why.
#include "pool/statement_rewriter.hpp"

#include "pool/release_words.hpp"
#include "pool/statement_release_query.hpp"
#include "protocol/error_fields.hpp"
#include "protocol/extended_query.hpp"
#include "protocol/message_builder.hpp"
#include "protocol/message_type.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/sqlstate.hpp"
#include "protocol/wire_reader.hpp"

namespace pgfront::pool {
namespace {

using protocol::ByteBuffer;
using protocol::Bytes;

// Never a client statement's name on the server (those are all "pgfront_<number>"), so a
// Parse of it with an invalid query fails without touching anything.
constexpr std::string_view duplicate_probe_name = "pgfront_duplicate_probe";
constexpr std::string_view duplicate_probe_query = "pgfront: duplicate prepared statement";

// Position just past the NUL that ends the string starting at `from`, or 0 when none does.
std::size_t past_cstring(Bytes payload, std::size_t from) {
    for (std::size_t i = from; i < payload.size(); ++i)
        if (payload[i] == std::byte{0}) return i + 1;
    return 0;
}

// The payload of the message most recently appended at `start`.
Bytes payload_at(const ByteBuffer& out, std::size_t start) { return Bytes(out).subspan(start + 5); }

}  // namespace

bool StatementRewriter::wants(char type, Bytes payload) {
    switch (type) {
        case protocol::frontend::parse:
            return !payload.empty() && payload[0] != std::byte{0};
        case protocol::frontend::bind: {
            const auto statement_at = past_cstring(payload, 0);
            return statement_at != 0 && statement_at < payload.size() && payload[statement_at] != std::byte{0};
        }
        case protocol::frontend::describe:
        case protocol::frontend::close:
            return payload.size() >= 2 && payload[0] == std::byte{'S'} && payload[1] != std::byte{0};
        case protocol::frontend::query: {
            return mentions_release_word(protocol::as_text(payload));
        }
        default:
            return false;
    }
}

void StatementRewriter::push_plain(std::size_t count) {
    if (count == 0) return;
    if (!slots_.empty() && slots_.back().kind == Kind::plain) {
        slots_.back().count += static_cast<std::uint32_t>(count);
        return;
    }
    Slot slot;
    slot.count = static_cast<std::uint32_t>(count);
    slots_.push_back(std::move(slot));
}

void StatementRewriter::push(Slot slot) {
    if (slot.kind == Kind::plain) {
        push_plain(slot.count);
        return;
    }
    ++special_;
    slots_.push_back(std::move(slot));
}

StatementRewriter::Slot StatementRewriter::pop() {
    Slot slot = std::move(slots_.front());
    slots_.pop_front();
    if (slot.kind != Kind::plain) --special_;
    return slot;
}

void StatementRewriter::reset() {
    slots_.clear();
    special_ = 0;
    server_doubtful_ = false;
}

StatementRewriter::Result StatementRewriter::on_plain_client(char type, Bytes payload,
                                                             protocol::PipelineTracker& tracker) {
    const auto before = tracker.outstanding_requests();
    const auto fed = tracker.on_frontend(type, payload);
    if (!fed) return {false, fed.problem};
    const auto after = tracker.outstanding_requests();
    if (after > before) push_plain(after - before);
    return {};
}

StatementRewriter::Result StatementRewriter::forward(char type, Bytes payload, protocol::PipelineTracker& tracker,
                                                     ByteBuffer& to_server) {
    protocol::MessageBuilder(to_server, type).bytes(payload).finish();
    return on_plain_client(type, payload, tracker);
}

// Appends a message pgfront built (already in `to_server` from `start`) to the request
// stream with its slot; a request the server will not run has its effects undone at once.
StatementRewriter::Result StatementRewriter::send(char type, Bytes payload, protocol::PipelineTracker& tracker,
                                                  Slot slot) {
    const auto before = tracker.outstanding_requests();
    const auto fed = tracker.on_frontend(type, payload);
    if (!fed) return {false, fed.problem};
    if (tracker.outstanding_requests() > before) {
        push(std::move(slot));
        return {};
    }
    // Swallowed by a COPY in progress: the server never runs it.
    server_doubtful_ = true;
    return {};
}

// Sends a Parse of `statement` under its server name, closing the least recently used
// statement first when the server's cache is full.
StatementRewriter::Result StatementRewriter::prepare(const StatementPtr& statement, Kind kind, std::string_view client_name,
                                                     StatementContext& context, ByteBuffer& to_server) {
    if (auto evicted = context.server.insert(statement->id, statement->server_name)) {
        const auto start = to_server.size();
        protocol::write_close(to_server, protocol::TargetKind::statement, *evicted);
        Slot slot;
        slot.kind = Kind::close_injected;
        if (auto r = send(protocol::frontend::close, payload_at(to_server, start), context.tracker, std::move(slot)); !r)
            return r;
    }
    const auto start = to_server.size();
    protocol::MessageBuilder(to_server, protocol::frontend::parse)
        .cstring(statement->server_name)
        .bytes(protocol::as_bytes(statement->body))
        .finish();
    Slot slot;
    slot.kind = kind;
    slot.statement = statement;
    slot.client_name = std::string(client_name);
    return send(protocol::frontend::parse, payload_at(to_server, start), context.tracker, std::move(slot));
}

StatementRewriter::Result StatementRewriter::ensure_prepared(const StatementPtr& statement, StatementContext& context,
                                                             ByteBuffer& to_server) {
    if (context.server.contains(statement->id)) {
        context.server.touch(statement->id);
        return {};
    }
    return prepare(statement, Kind::parse_injected, {}, context, to_server);
}

StatementRewriter::Result StatementRewriter::parse(Bytes payload, StatementContext& context, ByteBuffer& to_server) {
    const auto message = protocol::Parse::parse(payload);
    if (!message || message->statement.empty())
        return forward(protocol::frontend::parse, payload, context.tracker, to_server);
    const std::string_view name = message->statement;

    if (context.client.find(name)) {
        // PostgreSQL refuses to redefine a name; a Parse that is sure to fail makes the server
        // skip to Sync just as it would, and its error is replaced by the real one.
        const auto start = to_server.size();
        protocol::write_parse(to_server, duplicate_probe_name, duplicate_probe_query, {});
        Slot slot;
        slot.kind = Kind::parse_duplicate;
        slot.client_name = std::string(name);
        return send(protocol::frontend::parse, payload_at(to_server, start), context.tracker, std::move(slot));
    }

    const auto body = protocol::as_text(payload.subspan(name.size() + 1));
    auto statement = context.registry.intern(body);
    context.client.set(name, statement);
    if (context.server.contains(statement->id)) {
        context.server.touch(statement->id);
        Slot slot;
        slot.kind = Kind::answer_parse;
        slot.statement = std::move(statement);
        slot.client_name = std::string(name);
        push(std::move(slot));
        return {};
    }
    return prepare(statement, Kind::parse_named, name, context, to_server);
}

StatementRewriter::Result StatementRewriter::simple_query(Bytes payload, StatementContext& context,
                                                          ByteBuffer& to_server) {
    auto sql = protocol::as_text(payload);
    if (!sql.empty() && sql.back() == '\0') sql.remove_suffix(1);
    const auto release = StatementReleaseQuery::classify(sql);
    using ReleaseKind = StatementReleaseQuery::Kind;
    switch (release.kind) {
        case ReleaseKind::none:
            return forward(protocol::frontend::query, payload, context.tracker, to_server);
        case ReleaseKind::deallocate: {
            const auto* found = context.client.find(release.name);
            // An unknown name, or a failed transaction: the server gives PostgreSQL's own error.
            if (!found || context.tracker.transaction_status() == protocol::TransactionStatus::failed)
                return forward(protocol::frontend::query, payload, context.tracker, to_server);
            Slot slot;
            slot.kind = Kind::answer_deallocate;
            slot.statement = *found;
            slot.client_name = release.name;
            context.client.erase(release.name);
            push(std::move(slot));
            return {};
        }
        case ReleaseKind::deallocate_all:
        case ReleaseKind::discard_all:
        case ReleaseKind::unclear: {
            protocol::MessageBuilder(to_server, protocol::frontend::query).bytes(payload).finish();
            Slot slot;
            slot.kind = Kind::release_query;
            slot.unclear = release.kind == ReleaseKind::unclear;
            return send(protocol::frontend::query, payload, context.tracker, std::move(slot));
        }
    }
    return {};
}

StatementRewriter::Result StatementRewriter::on_client(char type, Bytes payload, StatementContext context,
                                                       ByteBuffer& to_server) {
    // A server skipping to Sync ignores everything but Sync: nothing to rewrite or answer.
    if (context.tracker.skipping_to_sync() && type != protocol::frontend::sync)
        return forward(type, payload, context.tracker, to_server);

    switch (type) {
        case protocol::frontend::parse:
            return parse(payload, context, to_server);
        case protocol::frontend::bind: {
            const auto message = protocol::Bind::parse(payload);
            const auto* found = message && !message->statement.empty() ? context.client.find(message->statement)
                                                                       : nullptr;
            // Unknown names go as they are: the server answers PostgreSQL's own error.
            if (!found) return forward(type, payload, context.tracker, to_server);
            const auto statement = *found;
            if (auto r = ensure_prepared(statement, context, to_server); !r) return r;
            const auto start = to_server.size();
            const auto rest = payload.subspan(message->portal.size() + 1 + message->statement.size() + 1);
            protocol::MessageBuilder(to_server, type)
                .cstring(message->portal)
                .cstring(statement->server_name)
                .bytes(rest)
                .finish();
            return on_plain_client(type, payload_at(to_server, start), context.tracker);
        }
        case protocol::frontend::describe: {
            const auto message = protocol::Describe::parse(payload);
            const auto* found = message && message->kind == protocol::TargetKind::statement && !message->name.empty()
                                    ? context.client.find(message->name)
                                    : nullptr;
            if (!found) return forward(type, payload, context.tracker, to_server);
            const auto statement = *found;
            if (auto r = ensure_prepared(statement, context, to_server); !r) return r;
            const auto start = to_server.size();
            protocol::write_describe(to_server, protocol::TargetKind::statement, statement->server_name);
            return on_plain_client(type, payload_at(to_server, start), context.tracker);
        }
        case protocol::frontend::close: {
            const auto message = protocol::Close::parse(payload);
            if (!message || message->kind != protocol::TargetKind::statement || message->name.empty())
                return forward(type, payload, context.tracker, to_server);
            // Only the client's name goes: other clients may share the server's statement.
            // Closing a name that doesn't exist is no error in PostgreSQL either.
            Slot slot;
            slot.kind = Kind::answer_close;
            slot.client_name = std::string(message->name);
            if (const auto* found = context.client.find(message->name)) slot.statement = *found;
            context.client.erase(message->name);
            push(std::move(slot));
            return {};
        }
        case protocol::frontend::query:
            return simple_query(payload, context, to_server);
        default:
            return forward(type, payload, context.tracker, to_server);
    }
}

StatementRewriter::Result StatementRewriter::on_client_bind_head(Bytes names, std::size_t rest,
                                                                StatementContext context, ByteBuffer& to_server) {
    protocol::WireReader reader(names);
    std::string_view portal, statement;
    if (!reader.cstring(portal) || !reader.cstring(statement) || !reader.at_end()) return {false, "invalid Bind"};
    // As on_client: a skipping server ignores it, and unknown names go as they are.
    const auto* found = !context.tracker.skipping_to_sync() && !statement.empty() ? context.client.find(statement)
                                                                                 : nullptr;
    StatementPtr prepared;
    if (found) {
        prepared = *found;
        if (auto r = ensure_prepared(prepared, context, to_server); !r) return r;
        statement = prepared->server_name;
    }
    protocol::MessageBuilder(to_server, protocol::frontend::bind).cstring(portal).cstring(statement).finish_head(rest);
    return on_plain_client(protocol::frontend::bind, {}, context.tracker);
}

void StatementRewriter::distrust_server() { server_doubtful_ = true; }

void StatementRewriter::answer(Slot& slot, StatementContext& context, ByteBuffer& to_client) {
    switch (slot.kind) {
        case Kind::answer_parse:
            protocol::write_parse_complete(to_client);
            break;
        case Kind::answer_close:
            protocol::write_close_complete(to_client);
            break;
        case Kind::answer_deallocate:
            protocol::write_command_complete(to_client, "DEALLOCATE");
            protocol::write_ready_for_query(to_client, context.tracker.transaction_status());
            break;
        default:
            break;
    }
}

// A request the server ran to completion without error.
void StatementRewriter::complete(Slot& slot, StatementContext& context) {
    if (slot.kind != Kind::release_query || slot.failed) return;
    if (slot.unclear) {
        server_doubtful_ = true;
        return;
    }
    context.client.clear();
    context.server.clear();
}

// A request that failed or that the server skipped, or an answer pgfront must not give
// because PostgreSQL would have skipped its message: undo what it did to the tables.
void StatementRewriter::cancel(Slot& slot, StatementContext& context) {
    switch (slot.kind) {
        case Kind::parse_named:
            context.server.erase(slot.statement->id);
            context.client.erase(slot.client_name, slot.statement.get());
            break;
        case Kind::parse_injected:
            context.server.erase(slot.statement->id);
            break;
        case Kind::close_injected:
            server_doubtful_ = true;  // the server still has a statement the cache forgot
            break;
        case Kind::answer_parse:
            context.client.erase(slot.client_name, slot.statement.get());
            break;
        case Kind::answer_close:
        case Kind::answer_deallocate:
            if (slot.statement && !context.client.find(slot.client_name))
                context.client.set(slot.client_name, slot.statement);
            break;
        default:
            break;
    }
}

void StatementRewriter::flush_answers(StatementContext context, ByteBuffer& to_client) {
    while (!slots_.empty() && is_answer(slots_.front().kind)) {
        auto slot = pop();
        answer(slot, context, to_client);
    }
}

// `requests` requests at the front are done: the first answered by the message just seen,
// the rest skipped by the server when `skipped_by_error` (or, in a COPY, consumed silently).
void StatementRewriter::retire(std::size_t requests, bool skipped_by_error, StatementContext& context,
                               ByteBuffer& to_client) {
    while (requests > 0 && !slots_.empty()) {
        auto& front = slots_.front();
        if (is_answer(front.kind)) {
            auto slot = pop();
            if (skipped_by_error)
                cancel(slot, context);
            else
                answer(slot, context, to_client);
            continue;
        }
        if (front.kind == Kind::plain) {
            --front.count;
            if (front.count == 0) pop();
        } else {
            auto slot = pop();
            if (skipped_by_error)
                cancel(slot, context);
            else
                complete(slot, context);
        }
        --requests;
    }
    // Answers between the failed request and the Sync belong to skipped messages too.
    if (skipped_by_error) {
        while (!slots_.empty() && is_answer(slots_.front().kind)) {
            auto slot = pop();
            cancel(slot, context);
        }
    }
}

StatementRewriter::Result StatementRewriter::on_server(char type, Bytes payload, Bytes frame,
                                                       StatementContext context, ByteBuffer& to_client) {
    flush_answers(context, to_client);
    const bool asynchronous = type == protocol::backend::notice_response ||
                              type == protocol::backend::parameter_status ||
                              type == protocol::backend::notification_response;
    const bool is_error = type == protocol::backend::error_response;
    bool fatal = false;
    if (is_error) {
        const auto fields = protocol::ErrorFields::parse(payload);
        fatal = !fields || fields->is_fatal();
    }
    bool pass = true;
    std::string duplicate_name;
    if (!slots_.empty() && !asynchronous && !fatal) {
        auto& head = slots_.front();
        switch (head.kind) {
            case Kind::parse_injected:
                if (type == protocol::backend::parse_complete) pass = false;
                break;
            case Kind::close_injected:
                if (type == protocol::backend::close_complete) pass = false;
                break;
            case Kind::parse_duplicate:
                if (is_error) duplicate_name = head.client_name;
                break;
            case Kind::release_query:
                if (is_error) head.failed = true;
                break;
            default:
                break;
        }
    }

    const auto before = context.tracker.outstanding_requests();
    const auto fed = context.tracker.on_backend(type, payload);
    if (!fed) return {false, fed.problem};
    const auto after = context.tracker.outstanding_requests();

    if (!duplicate_name.empty()) {
        const auto message = "prepared statement \"" + duplicate_name + "\" already exists";
        protocol::write_error_response(
            to_client, {protocol::Severity::error, protocol::sqlstate::duplicate_pstatement, message});
    } else if (pass) {
        to_client.insert(to_client.end(), frame.begin(), frame.end());
    }
    // An error that retires requests is an extended-protocol failure: the server now skips
    // to Sync. (A failed Query or Sync retires nothing until its ReadyForQuery.)
    if (after < before) retire(before - after, is_error && !fatal, context, to_client);
    flush_answers(context, to_client);
    return {};
}

StatementRewriter::Result StatementRewriter::on_plain_server(char type, Bytes payload,
                                                             protocol::PipelineTracker& tracker) {
    const auto before = tracker.outstanding_requests();
    const auto fed = tracker.on_backend(type, payload);
    if (!fed) return {false, fed.problem};
    auto done = before - std::min(before, tracker.outstanding_requests());
    while (done > 0 && !slots_.empty()) {
        auto& front = slots_.front();
        const auto n = std::min<std::size_t>(done, front.count);
        front.count -= static_cast<std::uint32_t>(n);
        done -= n;
        if (front.count == 0) pop();
    }
    return {};
}

}  // namespace pgfront::pool
