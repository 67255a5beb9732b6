// Tests for protocol/pipeline_tracker: tables of message sequences, each a small script of
// frontend/backend messages and assertions, run against a fresh tracker.
#include "protocol/pipeline_tracker.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "test_bytes.hpp"

using namespace pgfront::protocol;
using namespace pgfront::protocol::test;
using namespace std::string_view_literals;

namespace {

// Script tokens, separated by spaces:
//   >X   the client's message X is forwarded (">D:S" Describe statement, ">D:P" portal)
//   <X   the server's message X arrives ("<Z:T" ReadyForQuery 'T', "<E:FATAL" a FATAL error)
//   |    at a transaction boundary          ~   not at a boundary
//   #n   n ReadyForQuery outstanding         x   the connection is not reusable
//   !    the previous message was a protocol violation (otherwise it must be accepted)
//   @S   the last transaction status is S (I, T or E)
//   ^    the server owes replies it sends unprompted    v   it owes none (yet)
ByteBuffer backend_payload(char type, std::string_view arg) {
    if (type == 'Z') return raw(arg.empty() ? "I"sv : arg);
    if (type == 'E') {
        const std::string severity(arg.empty() ? "ERROR"sv : arg);
        return raw("S" + severity + '\0' + "V" + severity + '\0' + "CXX000" + '\0' + "Mboom" +
                   '\0' + '\0');
    }
    return {};
}

ByteBuffer frontend_payload(char type, std::string_view arg) {
    if (type == 'D') return raw(std::string(arg.empty() ? "P"sv : arg) + "name" + '\0');
    return {};
}

void run(std::string_view script) {
    PipelineTracker t;
    PipelineTracker::Result last;
    bool unchecked = false;  // the last message's result awaits a "!" or is required ok
    std::istringstream tokens{std::string(script)};
    std::string token;
    int index = 0;
    while (tokens >> token) {
        ++index;
        CAPTURE(index);
        CAPTURE(token);
        if (unchecked && token != "!") {
            CHECK_MESSAGE(last.ok, "unexpected violation: " << last.problem);
        }
        unchecked = false;
        const char head = token[0];
        if (head == '>' || head == '<') {
            const char type = token[1];
            const std::string_view arg =
                token.size() > 3 ? std::string_view(token).substr(3) : std::string_view{};
            last = head == '>' ? t.on_frontend(type, frontend_payload(type, arg))
                               : t.on_backend(type, backend_payload(type, arg));
            unchecked = true;
        } else if (token == "|") {
            CHECK(t.at_boundary());
        } else if (token == "~") {
            CHECK_FALSE(t.at_boundary());
        } else if (token == "^") {
            CHECK(t.replies_due());
        } else if (token == "v") {
            CHECK_FALSE(t.replies_due());
        } else if (token == "x") {
            CHECK_FALSE(t.reusable());
        } else if (token == "!") {
            CHECK_FALSE(last.ok);
        } else if (head == '#') {
            CHECK(t.outstanding_ready_for_query() == std::stoul(token.substr(1)));
        } else if (head == '@') {
            CHECK(static_cast<char>(t.transaction_status()) == token[1]);
        } else {
            FAIL("bad script token");
        }
    }
    if (unchecked) CHECK_MESSAGE(last.ok, "unexpected violation: " << last.problem);
}

struct Case {
    const char* name;
    const char* script;
};

void run_all(std::initializer_list<Case> cases) {
    for (const auto& c : cases) {
        const std::string_view name = c.name;
        const std::string_view script = c.script;
        CAPTURE(name);
        CAPTURE(script);
        run(c.script);
    }
}

}  // namespace

TEST_CASE("simple query sequences") {
    run_all({
        {"one query", ">Q ~ #1 <T <D <D <C ~ <Z:I | #0 @I"},
        {"multi-statement query, one ReadyForQuery", ">Q <C <T <D <C <I <C ~ <Z:I |"},
        {"empty query", ">Q <I <Z:I |"},
        {"transaction across queries", ">Q <C <Z:T ~ @T >Q <C <Z:T ~ >Q <C <Z:I | @I"},
        {"error inside a transaction", ">Q <C <Z:T >Q <E <Z:E ~ @E >Q <C <Z:I |"},
        {"error outside a transaction", ">Q <T <D <E ~ <Z:I |"},
        {"asynchronous messages anywhere", "<N <S <A | >Q <N <S <T <A <D <C <N <Z:I | <A |"},
        {"pipelined queries", ">Q >Q #2 <C <Z:I ~ #1 <C <Z:I |"},
    });
}

TEST_CASE("extended query sequences") {
    run_all({
        {"Parse/Bind/Describe/Execute/Sync", ">P >B >D:P >E >S ~ #1 <1 <2 <T <D <D <C ~ <Z:I |"},
        {"Describe statement", ">P >D:S >S <1 <t <T <Z:I |"},
        {"Describe statement without columns", ">P >D:S >S <1 <t <n <Z:I |"},
        {"pipelined batches", ">P >B >E >S >P >B >E >S #2 <1 <2 <C <Z:I ~ #1 <1 <2 <C <Z:I |"},
        {"Sync alone", ">S ~ <Z:I |"},
        {"a bare Flush changes nothing", ">H | >Q >H <C <Z:I |"},
        {"Close", ">C >S <3 <Z:I |"},
        {"empty query through Execute", ">P >B >E >S <1 <2 <I <Z:I |"},
        {"portal suspended then resumed", ">B >E >H <2 <D <s ~ >E >S <D <C <Z:I |"},
        {"Flush without Sync is not a boundary", ">P >B >E >H <1 <2 <D <C ~ #0 >S ~ <Z:I |"},
        {"simple query queued behind a batch", ">P >B >E >S >Q <1 <2 <C <Z:I ~ <T <C <Z:I |"},
        {"inside a transaction", ">Q <C <Z:T >P >B >E >S <1 <2 <C <Z:T ~ @T"},
    });
}

TEST_CASE("errors in the extended protocol skip to Sync") {
    run_all({
        {"error skips to Sync", ">P >B >E >S <1 <E ~ #1 <Z:I |"},
        {"only to the first Sync", ">P >B >E >S >B >E >S <1 <E #2 <Z:I ~ #1 <2 <C <Z:I |"},
        {"error before the Sync is sent: everything until it is dropped",
         ">P >B >E >H <1 <E ~ >B >E >Q >F ~ #0 >S #1 <Z:I |"},
        {"Describe of a missing statement", ">D:S >S <E <Z:I |"},
        {"COMMIT at Sync fails: no skipping", ">P >B >E >S <1 <2 <C <E ~ <Z:I |"},
        {"Query and FunctionCall are dropped while skipping", ">B >E <E >Q >F >S #1 <Z:I |"},
        {"error in the second of two described statements",
         ">P >D:S >P >D:S >S <1 <t <T <E <Z:I |"},
    });
}

TEST_CASE("COPY sequences") {
    run_all({
        {"COPY FROM STDIN", ">Q <G ~ >d >d >d >c ~ <C ~ <Z:I |"},
        {"COPY FROM STDIN then more statements", ">Q <G >d >c <C <T <D <C <Z:I |"},
        {"client data sent before CopyInResponse", ">Q >d >d >c <G <C <Z:I |"},
        {"COPY FROM STDIN aborted by CopyFail", ">Q <G >d >f ~ <E <Z:I |"},
        {"bad data while the client still sends", ">Q <G >d <E >d >c ~ <Z:I |"},
        {"late copy messages after the failed COPY finished", ">Q <G >d <E <Z:I | >d >c |"},
        {"a non-copy message fails the COPY", ">Q <G >P <E <Z:I |"},
        {"extended COPY FROM STDIN: libpq's Sync after Execute is ignored",
         ">P >B >E >S #1 <1 <2 <G #0 >d >d >c >S #1 <C ~ <Z:I |"},
        {"extended COPY: CopyDone forwarded before the second Sync is no boundary",
         ">B >E >S <2 <G >d >c <C ~ #0 >S #1 <Z:I |"},
        {"extended COPY: a Sync inside the data is ignored, the last one counts",
         ">B >E >S <2 <G >d >S >c #0 <C ~ >S <Z:I |"},
        {"extended COPY aborted by CopyFail", ">B >E >S <2 <G >f >S <E ~ <Z:I |"},
        {"extended COPY fails on bad data", ">B >E >S <2 <G >d <E ~ >d >c ~ >S <Z:I |"},
        {"extended COPY fails after CopyDone", ">B >E >S <2 <G >d >c >S <E ~ <Z:I |"},
        {"Sync inside copy data: harmless when the COPY succeeds", ">Q <G >d >S >d >c <C <Z:I |"},
        {"Sync inside copy data: ambiguous when the COPY fails", ">Q <G >d >S >d <E x ~"},
        {"COPY TO STDOUT", ">Q <H ~ <d <d <c ~ <C <Z:I |"},
        {"extended COPY TO STDOUT", ">B >E >S <2 <H <d <d <c <C <Z:I |"},
        {"COPY TO STDOUT fails midway", ">Q <H <d <E <Z:I |"},
        {"copy-both", ">Q <W <d >d <d >c <d <c <C <Z:I |"},
        {"copy messages while idle are ignored", ">d >c >f | #0"},
    });
}

TEST_CASE("function calls and the end of a connection") {
    run_all({
        {"FunctionCall", ">F ~ #1 <V ~ <Z:I |"},
        {"FunctionCall error", ">F <E <Z:I |"},
        {"Terminate", ">X x ~"},
        {"FATAL during a query", ">Q <E:FATAL x ~"},
        {"FATAL while idle (administrator shutdown)", "<E:FATAL x ~"},
        {"PANIC", ">Q <E:PANIC x ~"},
    });
}

TEST_CASE("protocol violations") {
    run_all({
        {"ReadyForQuery with nothing outstanding", "<Z:I ! x ~"},
        {"wrong reply to Parse", ">P >S <2 ! x"},
        {"ERROR with nothing outstanding", "<E ! x"},
        {"PasswordMessage after startup", ">p ! x"},
        {"ParseComplete in a simple query", ">Q <1 !"},
        {"bad ReadyForQuery status", ">Q <Z:X !"},
        {"CommandComplete while idle", "<C !"},
        {"ReadyForQuery before the batch's replies", ">P >S <Z:I !"},
        {"BackendKeyData after startup", ">Q <K !"},
        {"server CopyData during copy-in", ">Q <G <d !"},
        {"RowDescription before ParameterDescription", ">D:S >S <T !"},
        {"FunctionCallResponse missing", ">F <Z:I !"},
        {"violations stick", "<Z:I ! >Q ! <N ! x"},
    });
}

TEST_CASE("replies are due only after Sync, Query, FunctionCall or Flush") {
    run_all({
        {"nothing sent", "v |"},
        {"simple query", ">Q ^ <T <D ^ <C <Z v |"},
        {"function call", ">F ^ <V <Z v |"},
        // The rest of the batch (Bind, Execute, Sync) may still be on its way: the server holds
        // ParseComplete until then, so nobody may wait for it.
        {"extended batch arriving in pieces", ">P v >B v >E v >S ^ <1 <2 ^ <C <Z v |"},
        {"Flush makes the server send what it owes so far", ">P >H ^ <1 v >B v >E >H ^ <2 <C v >S ^ <Z v |"},
        {"requests behind a Flush are not due", ">P >H >B ^ <1 v >S ^ <2 <Z v |"},
        {"pipeline: a synced batch is due, the next one is not once it is answered",
         ">P >B >E >S >P >B ^ <1 <2 <C ^ <Z v >E >S ^ <1 <2 <C <Z v |"},
        {"an error leaves the server skipping to Sync: nothing due",
         ">P >B >E ~ <E v >S ^ <Z v |"},
        {"COPY TO STDOUT streams to the client", ">Q <H ^ <d <d <c ^ <C <Z v |"},
        {"COPY FROM STDIN waits for the client, then answers", ">Q <G >d >c ^ <C <Z v |"},
    });
}

TEST_CASE("counts and flags") {
    PipelineTracker t;
    CHECK(t.at_boundary());
    CHECK(t.reusable());
    for (const char type : {'P', 'B', 'D', 'E', 'H', 'S'}) {
        CHECK(t.on_frontend(type, raw("P\0"sv)));
    }
    CHECK(t.outstanding_requests() == 5);  // Flush has no reply
    CHECK(t.outstanding_ready_for_query() == 1);
    CHECK(t.on_backend('1', {}));
    CHECK(t.on_backend('E', raw("SERROR\0VERROR\0C42601\0Msyntax\0\0"sv)));
    CHECK(t.outstanding_requests() == 1);
    CHECK_FALSE(t.skipping_to_sync());
    CHECK(t.on_backend('Z', raw("I")));
    CHECK(t.at_boundary());
    CHECK(t.unusable_reason().empty());

    CHECK(t.on_frontend('E', raw("\0\0\0\0\0"sv)));
    CHECK(t.on_backend('E', raw("SERROR\0\0"sv)));
    CHECK(t.skipping_to_sync());
    CHECK(t.outstanding_requests() == 0);
    CHECK_FALSE(t.at_boundary());
    CHECK(t.on_frontend('S', {}));
    CHECK_FALSE(t.skipping_to_sync());
    CHECK(t.on_backend('Z', raw("I")));
    CHECK(t.at_boundary());
}

TEST_CASE("bulk COPY keeps the queue short") {
    PipelineTracker t;
    CHECK(t.on_frontend('Q', {}));
    for (int i = 0; i < 1000; ++i) CHECK(t.on_frontend('d', raw("row\n")));
    CHECK(t.outstanding_requests() == 1);
    CHECK_FALSE(t.in_copy());
    CHECK(t.on_backend('G', {}));
    CHECK(t.in_copy());
    for (int i = 0; i < 100000; ++i) REQUIRE(t.on_frontend('d', raw("row\n")));
    CHECK(t.on_frontend('c', {}));
    CHECK(t.on_backend('C', raw("COPY 101000\0"sv)));
    CHECK_FALSE(t.in_copy());
    CHECK(t.on_backend('Z', raw("I")));
    CHECK(t.at_boundary());
}

TEST_CASE("unusable reasons") {
    PipelineTracker a;
    CHECK(a.on_frontend('X', {}));
    CHECK(a.unusable_reason() == "client sent Terminate");
    CHECK(a.on_frontend('Q', {}));  // ignored: the connection is going away
    PipelineTracker b;
    const auto r = b.on_backend('Z', raw("I"));
    CHECK_FALSE(r);
    CHECK(r.problem == "backend message with no request outstanding");
    CHECK(b.unusable_reason() == r.problem);
}
