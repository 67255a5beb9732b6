// Named prepared statements across server connections: what the server receives for each
// client message, and what the client receives for each server reply, message by message.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pool/statement_rewriter.hpp"
#include "protocol/frame_reader.hpp"
#include "protocol/message_builder.hpp"
#include "protocol/message_writer.hpp"

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
    static String convert(const std::vector<std::string>& lines) {
        std::string out = "[";
        for (const auto& line : lines) out += "\"" + line + "\" ";
        return (out + "]").c_str();
    }
};
}  // namespace doctest

using namespace pgfront;
using namespace pgfront::pool;
using protocol::ByteBuffer;
using protocol::Bytes;

namespace {

// One message as "type:field|field|..." with NUL-separated strings shown as '|' and the
// binary tail of Bind/Parse left out, which is enough to see names and order.
std::string describe(char type, Bytes payload, protocol::Sender from) {
    std::string out(1, type);
    std::string text(protocol::as_text(payload));
    const bool named = from == protocol::Sender::frontend
                           ? (type == 'P' || type == 'B' || type == 'C' || type == 'D' || type == 'Q')
                           : (type == 'C' || type == 'E');
    if (named) {
        out += ':';
        // First two NUL-terminated strings are enough (names, or query text).
        std::size_t at = 0;
        for (int field = 0; field < 2 && at < text.size(); ++field) {
            const auto end = text.find('\0', at);
            if (field) out += '|';
            out += text.substr(at, end == std::string::npos ? std::string::npos : end - at);
            if (end == std::string::npos) break;
            at = end + 1;
        }
    }
    return out;
}

std::vector<std::string> split(const ByteBuffer& bytes, protocol::Sender from) {
    std::vector<std::string> out;
    Bytes rest(bytes);
    for (;;) {
        const auto frame = protocol::read_frame(rest, from);
        if (!frame.is_frame()) break;
        out.push_back(describe(frame.type, frame.payload, from));
        rest = rest.subspan(frame.consumed);
    }
    return out;
}

using Lines = std::vector<std::string>;

struct Server {
    ServerStatementCache cache{200};
    protocol::PipelineTracker tracker;
};

// One client using one server at a time, like a transaction-mode session.
struct Session {
    explicit Session(StatementRegistry& shared) : registry(shared) {}
    StatementRegistry& registry;
    ClientStatements names;
    StatementRewriter rewriter;
    Server* server = nullptr;

    StatementContext context() { return {names, server->cache, registry, server->tracker}; }

    // Client messages in, what the server receives out; answers pgfront owes at once go to
    // `answered`.
    Lines send(const ByteBuffer& messages, Lines* answered = nullptr) {
        ByteBuffer to_server;
        Bytes rest(messages);
        for (;;) {
            const auto frame = protocol::read_frame(rest, protocol::Sender::frontend);
            if (!frame.is_frame()) break;
            REQUIRE(rewriter.on_client(frame.type, frame.payload, context(), to_server));
            rest = rest.subspan(frame.consumed);
        }
        ByteBuffer to_client;
        rewriter.flush_answers(context(), to_client);
        if (answered) *answered = split(to_client, protocol::Sender::backend);
        return split(to_server, protocol::Sender::frontend);
    }

    // Server replies in, what the client receives out.
    Lines reply(const ByteBuffer& messages) {
        ByteBuffer to_client;
        Bytes rest(messages);
        for (;;) {
            const auto frame = protocol::read_frame(rest, protocol::Sender::backend);
            if (!frame.is_frame()) break;
            REQUIRE(rewriter.on_server(frame.type, frame.payload, rest.first(frame.consumed), context(), to_client));
            rest = rest.subspan(frame.consumed);
        }
        return split(to_client, protocol::Sender::backend);
    }
};

struct Messages {
    ByteBuffer bytes;
    Messages& parse(std::string_view name, std::string_view query) {
        protocol::write_parse(bytes, name, query);
        return *this;
    }
    Messages& bind(std::string_view statement) {
        protocol::write_bind(bytes, "", statement, {}, {}, {});
        return *this;
    }
    Messages& describe(std::string_view statement) {
        protocol::write_describe(bytes, protocol::TargetKind::statement, statement);
        return *this;
    }
    Messages& execute() {
        protocol::write_execute(bytes, "");
        return *this;
    }
    Messages& close(std::string_view statement) {
        protocol::write_close(bytes, protocol::TargetKind::statement, statement);
        return *this;
    }
    Messages& sync() {
        protocol::write_sync(bytes);
        return *this;
    }
    Messages& query(std::string_view sql) {
        protocol::write_query(bytes, sql);
        return *this;
    }
    // Server side.
    Messages& parse_complete() {
        protocol::write_parse_complete(bytes);
        return *this;
    }
    Messages& bind_complete() {
        protocol::write_bind_complete(bytes);
        return *this;
    }
    Messages& close_complete() {
        protocol::write_close_complete(bytes);
        return *this;
    }
    Messages& no_data() {
        protocol::write_no_data(bytes);
        return *this;
    }
    Messages& command(std::string_view tag) {
        protocol::write_command_complete(bytes, tag);
        return *this;
    }
    Messages& error(std::string_view sqlstate, std::string_view message) {
        protocol::write_error_response(bytes, {protocol::Severity::error, sqlstate, message});
        return *this;
    }
    Messages& ready(protocol::TransactionStatus status = protocol::TransactionStatus::idle) {
        protocol::write_ready_for_query(bytes, status);
        return *this;
    }
};

}  // namespace

TEST_CASE("a named Parse is sent under pgfront's name and Bind follows it") {
    StatementRegistry registry;
    Server server;
    Session client(registry);
    client.server = &server;

    CHECK(client.send(Messages().parse("s1", "SELECT 1").bind("s1").execute().sync().bytes) ==
          Lines{"P:pgfront_1|SELECT 1", "B:|pgfront_1", "E", "S"});
    CHECK(client.reply(Messages().parse_complete().bind_complete().command("SELECT 1").ready().bytes) ==
          Lines{"1", "2", "C:SELECT 1", "Z"});
    CHECK(server.tracker.at_boundary());
    CHECK_FALSE(client.rewriter.has_answers());
}

TEST_CASE("unnamed statements and portals pass through untouched") {
    StatementRegistry registry;
    Server server;
    Session client(registry);
    client.server = &server;
    CHECK(client.send(Messages().parse("", "SELECT 1").bind("").execute().sync().bytes) ==
          Lines{"P:|SELECT 1", "B:|", "E", "S"});
    CHECK(client.reply(Messages().parse_complete().bind_complete().command("SELECT 1").ready().bytes) ==
          Lines{"1", "2", "C:SELECT 1", "Z"});
}

TEST_CASE("a statement the server already has is not prepared again; pgfront answers ParseComplete in order") {
    StatementRegistry registry;
    Server server;
    Session first(registry);
    first.server = &server;
    first.send(Messages().parse("a", "SELECT $1").sync().bytes);
    first.reply(Messages().parse_complete().ready().bytes);

    Session second(registry);  // another client, same query, same server connection
    second.server = &server;
    Lines answered;
    CHECK(second.send(Messages().parse("b", "SELECT $1").bind("b").execute().sync().bytes, &answered) ==
          Lines{"B:|pgfront_1", "E", "S"});
    CHECK(answered == Lines{"1"});  // nothing precedes it: answered at once
    CHECK(second.reply(Messages().bind_complete().command("SELECT 1").ready().bytes) == Lines{"2", "C:SELECT 1", "Z"});
}

TEST_CASE("pgfront's answer waits for the replies to requests sent before it") {
    StatementRegistry registry;
    Server server;
    Session client(registry);
    client.server = &server;
    client.send(Messages().parse("a", "SELECT 1").sync().bytes);
    client.reply(Messages().parse_complete().ready().bytes);

    Lines answered;
    CHECK(client.send(Messages().bind("a").execute().parse("again", "SELECT 1").sync().bytes, &answered) ==
          Lines{"B:|pgfront_1", "E", "S"});
    CHECK(answered.empty());
    CHECK(client.reply(Messages().bind_complete().command("SELECT 1").ready().bytes) ==
          Lines{"2", "C:SELECT 1", "1", "Z"});
}

TEST_CASE("a statement used on a server that lacks it is prepared first and the extra reply swallowed") {
    StatementRegistry registry;
    Server old_server, new_server;
    Session client(registry);
    client.server = &old_server;
    client.send(Messages().parse("s", "SELECT 2").sync().bytes);
    client.reply(Messages().parse_complete().ready().bytes);
    client.rewriter.reset();

    client.server = &new_server;  // next transaction, another server connection
    CHECK(client.send(Messages().describe("s").bind("s").execute().sync().bytes) ==
          Lines{"P:pgfront_1|SELECT 2", "D:Spgfront_1", "B:|pgfront_1", "E", "S"});
    ByteBuffer replies = Messages().parse_complete().bytes;
    protocol::MessageBuilder(replies, 't').i16(0).finish();
    Messages rest;
    rest.no_data().bind_complete().command("SELECT 1").ready();
    replies.insert(replies.end(), rest.bytes.begin(), rest.bytes.end());
    CHECK(client.reply(replies) == Lines{"t", "n", "2", "C:SELECT 1", "Z"});
    CHECK(new_server.cache.contains(1));
}

TEST_CASE("a re-prepare that fails reaches the client as the server's error and is forgotten") {
    StatementRegistry registry;
    Server old_server, new_server;
    Session client(registry);
    client.server = &old_server;
    client.send(Messages().parse("s", "SELECT * FROM gone").sync().bytes);
    client.reply(Messages().parse_complete().ready().bytes);
    client.rewriter.reset();

    client.server = &new_server;
    CHECK(client.send(Messages().bind("s").execute().sync().bytes) ==
          Lines{"P:pgfront_1|SELECT * FROM gone", "B:|pgfront_1", "E", "S"});
    CHECK(client.reply(Messages().error("42P01", "relation \"gone\" does not exist").ready().bytes) ==
          Lines{"E:SERROR|VERROR", "Z"});
    CHECK_FALSE(new_server.cache.contains(1));
    CHECK(client.names.find("s") != nullptr);  // the client's statement still exists
    CHECK(new_server.tracker.at_boundary());
}

TEST_CASE("an error skips pgfront's answers up to Sync, as the server skips the messages") {
    StatementRegistry registry;
    Server server;
    Session client(registry);
    client.server = &server;
    client.send(Messages().parse("a", "SELECT 1").sync().bytes);
    client.reply(Messages().parse_complete().ready().bytes);

    Lines answered;
    // Bind fails; the Parse of "b" (already on the server) and of "c" (new) are skipped.
    CHECK(client.send(Messages().bind("a").parse("b", "SELECT 1").parse("c", "SELECT 3").sync().bytes, &answered) ==
          Lines{"B:|pgfront_1", "P:pgfront_2|SELECT 3", "S"});
    CHECK(client.reply(Messages().error("22P02", "bad input").ready().bytes) == Lines{"E:SERROR|VERROR", "Z"});
    CHECK(client.names.find("b") == nullptr);
    CHECK(client.names.find("c") == nullptr);
    CHECK(client.names.find("a") != nullptr);
    CHECK_FALSE(server.cache.contains(2));
    CHECK_FALSE(client.rewriter.has_answers());
}

TEST_CASE("messages after an error that arrived before their Sync are left to the server") {
    StatementRegistry registry;
    Server server;
    Session client(registry);
    client.server = &server;
    client.send(Messages().parse("a", "SELECT 1").sync().bytes);
    client.reply(Messages().parse_complete().ready().bytes);
    client.send(Messages().bind("a").execute().bytes);
    CHECK(client.reply(Messages().error("22012", "division by zero").bytes) == Lines{"E:SERROR|VERROR"});
    Lines answered;
    CHECK(client.send(Messages().parse("again", "SELECT 1").sync().bytes, &answered) ==
          Lines{"P:again|SELECT 1", "S"});
    CHECK(answered.empty());
    CHECK(client.reply(Messages().ready().bytes) == Lines{"Z"});
}

TEST_CASE("Close drops only the client's name and is answered by pgfront") {
    StatementRegistry registry;
    Server server;
    Session client(registry);
    client.server = &server;
    client.send(Messages().parse("a", "SELECT 1").sync().bytes);
    client.reply(Messages().parse_complete().ready().bytes);

    Lines answered;
    CHECK(client.send(Messages().close("a").sync().bytes, &answered) == Lines{"S"});
    CHECK(answered == Lines{"3"});
    CHECK(client.reply(Messages().ready().bytes) == Lines{"Z"});
    CHECK(client.names.find("a") == nullptr);
    CHECK(server.cache.contains(1));  // other clients may use it

    // Binding the closed name goes as it is, so the server reports PostgreSQL's own error.
    CHECK(client.send(Messages().bind("a").sync().bytes) == Lines{"B:|a", "S"});
}

TEST_CASE("DEALLOCATE name is answered by pgfront; DEALLOCATE ALL and DISCARD ALL run and empty both tables") {
    StatementRegistry registry;
    Server server;
    Session client(registry);
    client.server = &server;
    client.send(Messages().parse("a", "SELECT 1").parse("b", "SELECT 2").sync().bytes);
    client.reply(Messages().parse_complete().parse_complete().ready().bytes);

    Lines answered;
    CHECK(client.send(Messages().query("deallocate a").bytes, &answered).empty());
    CHECK(answered == Lines{"C:DEALLOCATE", "Z"});
    CHECK(client.names.find("a") == nullptr);
    CHECK(client.names.find("b") != nullptr);

    CHECK(client.send(Messages().query("DEALLOCATE ALL").bytes) == Lines{"Q:DEALLOCATE ALL"});
    CHECK(client.reply(Messages().command("DEALLOCATE ALL").ready().bytes) == Lines{"C:DEALLOCATE ALL", "Z"});
    CHECK(client.names.size() == 0);
    CHECK(server.cache.size() == 0);
}

TEST_CASE("a failed DISCARD ALL leaves the tables as they were") {
    StatementRegistry registry;
    Server server;
    Session client(registry);
    client.server = &server;
    client.send(Messages().parse("a", "SELECT 1").sync().bytes);
    client.reply(Messages().parse_complete().ready().bytes);
    client.send(Messages().query("DISCARD ALL").bytes);
    client.reply(Messages().error("25001", "DISCARD ALL cannot run inside a transaction block")
                     .ready(protocol::TransactionStatus::failed)
                     .bytes);
    CHECK(client.names.find("a") != nullptr);
    CHECK(server.cache.contains(1));
}

TEST_CASE("a query that may drop statements in a way pgfront can't follow makes the server doubtful") {
    StatementRegistry registry;
    Server server;
    Session client(registry);
    client.server = &server;
    CHECK(client.send(Messages().query("SELECT 1; DEALLOCATE ALL").bytes) == Lines{"Q:SELECT 1; DEALLOCATE ALL"});
    client.reply(Messages().command("SELECT 1").command("DEALLOCATE ALL").ready().bytes);
    CHECK(client.rewriter.server_doubtful());
}

TEST_CASE("redefining a name fails like PostgreSQL, skipping to Sync") {
    StatementRegistry registry;
    Server server;
    Session client(registry);
    client.server = &server;
    client.send(Messages().parse("a", "SELECT 1").sync().bytes);
    client.reply(Messages().parse_complete().ready().bytes);

    const auto sent = client.send(Messages().parse("a", "SELECT 2").bind("a").sync().bytes);
    REQUIRE(sent.size() == 3);
    CHECK(sent[0].rfind("P:pgfront_duplicate_probe|", 0) == 0);
    const auto got = client.reply(Messages().error("42601", "syntax error").ready().bytes);
    REQUIRE(got.size() == 2);
    CHECK(got[0] == "E:SERROR|VERROR");
    CHECK(got[1] == "Z");
    CHECK(client.names.find("a") != nullptr);
}

TEST_CASE("a full server cache closes its least recently used statement, swallowing CloseComplete") {
    StatementRegistry registry;
    Server server;
    server.cache.set_capacity(2);
    Session client(registry);
    client.server = &server;
    client.send(Messages().parse("a", "SELECT 1").parse("b", "SELECT 2").sync().bytes);
    client.reply(Messages().parse_complete().parse_complete().ready().bytes);
    client.send(Messages().bind("a").sync().bytes);  // "a" is now the most recently used
    client.reply(Messages().bind_complete().ready().bytes);

    CHECK(client.send(Messages().parse("c", "SELECT 3").sync().bytes) ==
          Lines{"C:Spgfront_2", "P:pgfront_3|SELECT 3", "S"});
    CHECK(client.reply(Messages().close_complete().parse_complete().ready().bytes) == Lines{"1", "Z"});
    CHECK(server.cache.contains(1));
    CHECK_FALSE(server.cache.contains(2));
    CHECK(server.cache.contains(3));

    // "b" is still the client's; using it prepares it again.
    CHECK(client.send(Messages().bind("b").sync().bytes) == Lines{"C:Spgfront_1", "P:pgfront_2|SELECT 2", "B:|pgfront_2", "S"});
}

TEST_CASE("the registry shares one definition per distinct statement and never reuses ids") {
    StatementRegistry registry;
    auto a = registry.intern("SELECT 1");
    auto b = registry.intern("SELECT 1");
    auto c = registry.intern("SELECT 2");
    CHECK(a == b);
    CHECK(a->id != c->id);
    const auto old_id = a->id;
    a.reset();
    b.reset();
    CHECK(registry.intern("SELECT 1")->id != old_id);
}

TEST_CASE("a Bind taken as head then unchanged rest gives the server the same bytes as the whole Bind") {
    // What pgfront sends for a Bind too large to hold: the rewriter's head, then the client's
    // bytes after the names as they were.
    auto streamed = [](Session& client, std::string_view portal, std::string_view statement) {
        ByteBuffer bind;
        protocol::write_bind(bind, portal, statement, {}, {}, {});
        const auto head = 5 + portal.size() + 1 + statement.size() + 1;
        ByteBuffer to_server;
        REQUIRE(client.rewriter.on_client_bind_head(Bytes(bind).subspan(5, head - 5), bind.size() - head,
                                                    client.context(), to_server));
        to_server.insert(to_server.end(), bind.begin() + static_cast<std::ptrdiff_t>(head), bind.end());
        return to_server;
    };
    auto whole = [](Session& client, std::string_view portal, std::string_view statement) {
        ByteBuffer bind;
        protocol::write_bind(bind, portal, statement, {}, {}, {});
        const auto frame = protocol::read_frame(bind, protocol::Sender::frontend);
        ByteBuffer to_server;
        REQUIRE(client.rewriter.on_client(frame.type, frame.payload, client.context(), to_server));
        return to_server;
    };

    StatementRegistry registry;
    Server first_a, first_b;  // the same history on two servers, one for each way
    Session a(registry), b(registry);
    a.server = &first_a;
    b.server = &first_b;
    for (auto* client : {&a, &b}) {
        client->send(Messages().parse("s1", "SELECT $1").sync().bytes);
        client->reply(Messages().parse_complete().ready().bytes);
    }
    // The statement on the server that has it, unknown names, the unnamed statement.
    CHECK(streamed(a, "", "s1") == whole(b, "", "s1"));
    CHECK(streamed(a, "p", "nope") == whole(b, "p", "nope"));
    CHECK(streamed(a, "", "") == whole(b, "", ""));
    CHECK(a.server->tracker.outstanding_requests() == b.server->tracker.outstanding_requests());

    // On a server that lacks it, the Parse pgfront injects comes first.
    Server second_a, second_b;
    a.rewriter.reset();
    b.rewriter.reset();
    a.server = &second_a;
    b.server = &second_b;
    const auto sent = streamed(a, "", "s1");
    CHECK(sent == whole(b, "", "s1"));
    CHECK(split(sent, protocol::Sender::frontend) == Lines{"P:pgfront_1|SELECT $1", "B:|pgfront_1"});
    CHECK(a.reply(Messages().parse_complete().bind_complete().bytes) == Lines{"2"});
}

TEST_CASE("a Bind head whose names are malformed is refused") {
    StatementRegistry registry;
    Server server;
    Session client(registry);
    client.server = &server;
    ByteBuffer to_server;
    const std::string_view one_name("portal\0", 7);
    CHECK_FALSE(client.rewriter.on_client_bind_head(std::as_bytes(std::span(one_name)), 100, client.context(),
                                                    to_server));
}
