// Tests for protocol/frame_reader: both framings, every truncation, every bad length.
#include "protocol/frame_reader.hpp"

#include <doctest/doctest.h>

#include "test_bytes.hpp"

using namespace pgfront::protocol;
using namespace pgfront::protocol::test;
using namespace std::string_view_literals;

namespace {

const ByteBuffer query_select_1 = cat({hex("51 00 00 00 0d"), raw("SELECT 1\0"sv)});

// StartupMessage for user=app database=appdb, protocol 3.0.
const ByteBuffer startup_app =
    cat({hex("00 00 00 21 00 03 00 00"), raw("user\0app\0database\0appdb\0\0"sv)});

}  // namespace

TEST_CASE("read_frame returns a complete typed message") {
    const auto r = read_frame(query_select_1, Sender::frontend);
    REQUIRE(r.is_frame());
    CHECK(r.type == 'Q');
    CHECK(r.consumed == 14);
    CHECK(as_text(r.payload) == "SELECT 1\0"sv);
    CHECK(r.payload.data() == query_select_1.data() + 5);  // zero-copy
}

TEST_CASE("read_frame asks for more on every proper prefix") {
    for (std::size_t n = 0; n < query_select_1.size(); ++n) {
        CAPTURE(n);
        const auto r = read_frame(Bytes(query_select_1).first(n), Sender::frontend);
        REQUIRE(r.is_need_more());
        CHECK(r.needed == (n < 5 ? 5u : 14u));
        CHECK(r.consumed == 0);
    }
}

TEST_CASE("read_frame takes one frame at a time from a stream") {
    const auto stream = cat({query_select_1, hex("53 00 00 00 04"), hex("58 00 00")});
    Bytes rest = stream;
    auto r = read_frame(rest, Sender::frontend);
    REQUIRE(r.is_frame());
    CHECK(r.type == 'Q');
    rest = rest.subspan(r.consumed);
    r = read_frame(rest, Sender::frontend);
    REQUIRE(r.is_frame());
    CHECK(r.type == 'S');
    CHECK(r.payload.empty());
    CHECK(r.consumed == 5);
    rest = rest.subspan(r.consumed);
    r = read_frame(rest, Sender::frontend);
    CHECK(r.is_need_more());
    CHECK(rest.size() == 3);
}

TEST_CASE("read_frame rejects lengths below 4, negative or above the limit") {
    for (const auto* length : {"00 00 00 00", "00 00 00 03", "ff ff ff ff", "80 00 00 00"}) {
        CAPTURE(length);
        const auto r = read_frame(cat({hex("51"), hex(length)}), Sender::frontend);
        CHECK(r.is_error());
        CHECK(r.error == "invalid message length");
    }
    SUBCASE("custom limit counts the length word") {
        CHECK(read_frame(hex("51 00 00 00 64"), Sender::frontend, 100).is_need_more());
        const auto r = read_frame(hex("51 00 00 00 65"), Sender::frontend, 100);
        CHECK(r.is_error());
        CHECK(r.error == "message length exceeds limit");
    }
    SUBCASE("default limit is 1 GB") {
        CHECK(read_frame(hex("64 40 00 00 00"), Sender::frontend).is_need_more());
        CHECK(read_frame(hex("64 40 00 00 01"), Sender::frontend).is_error());
    }
}

TEST_CASE("read_frame holds a client's small messages to PostgreSQL's small-message limit") {
    // Sync, Describe, Execute, Close, Flush, Terminate, CopyDone, CopyFail: 10,000 bytes.
    for (const char* type : {"53", "44", "45", "43", "48", "58", "63", "66"}) {
        CAPTURE(type);
        CHECK(read_frame(cat({hex(type), hex("00 00 27 10")}), Sender::frontend).is_need_more());
        const auto r = read_frame(cat({hex(type), hex("00 00 27 11")}), Sender::frontend);
        CHECK(r.is_error());
        CHECK(r.error == "invalid message length");
    }
    // Messages that carry data may be long; so may a server's DataRow ('D').
    for (const char* type : {"51", "50", "42", "46", "64", "70"})
        CHECK(read_frame(cat({hex(type), hex("00 10 00 00")}), Sender::frontend).is_need_more());
    CHECK(read_frame(hex("44 00 10 00 00"), Sender::backend).is_need_more());
}

TEST_CASE("read_frame rejects a type the sender cannot send, from the first byte") {
    auto r = read_frame(hex("5a"), Sender::frontend);  // 'Z' is ReadyForQuery, backend only
    CHECK(r.is_error());
    CHECK(r.error == "unknown message type");
    CHECK(read_frame(hex("51"), Sender::backend).is_error());  // 'Q' from a server
    CHECK(read_frame(hex("00 00 00 00 08"), Sender::frontend).is_error());
    CHECK(read_frame(hex("5a 00 00 00 05 49"), Sender::backend).is_frame());
}

TEST_CASE("read_startup_frame returns the code and a payload starting with it") {
    const auto r = read_startup_frame(startup_app);
    REQUIRE(r.is_frame());
    CHECK(r.type == 0);
    CHECK(r.code == 196608u);
    CHECK(r.consumed == 33);
    CHECK(r.payload.size() == 29);
    CHECK(dump(r.payload.first(4)) == "00 03 00 00");
}

TEST_CASE("read_startup_frame asks for more on every proper prefix") {
    for (std::size_t n = 0; n < startup_app.size(); ++n) {
        CAPTURE(n);
        const auto r = read_startup_frame(Bytes(startup_app).first(n));
        REQUIRE(r.is_need_more());
        CHECK(r.needed == (n < 4 ? 8u : 33u));
    }
}

TEST_CASE("read_startup_frame reads SSLRequest, GSSENCRequest and CancelRequest codes") {
    CHECK(read_startup_frame(hex("00 00 00 08 04 d2 16 2f")).code == 80877103u);
    CHECK(read_startup_frame(hex("00 00 00 08 04 d2 16 30")).code == 80877104u);
    const auto cancel = read_startup_frame(hex("00 00 00 10 04 d2 16 2e 00 00 30 39 de ad be ef"));
    REQUIRE(cancel.is_frame());
    CHECK(cancel.code == 80877102u);
    CHECK(cancel.payload.size() == 12);
}

TEST_CASE("read_startup_frame rejects short, negative and oversized lengths") {
    for (const auto* length : {"00 00 00 00", "00 00 00 07", "ff ff ff f8", "80 00 00 00"}) {
        CAPTURE(length);
        const auto r = read_startup_frame(cat({hex(length), hex("00 03 00 00")}));
        CHECK(r.is_error());
        CHECK(r.error == "invalid startup packet length");
    }
    CHECK(read_startup_frame(hex("00 00 27 10")).is_need_more());  // 10000: allowed
    const auto r = read_startup_frame(hex("00 00 27 11"));         // 10001
    CHECK(r.is_error());
    CHECK(r.error == "startup packet length exceeds limit");
    CHECK(read_startup_frame(hex("00 00 00 21"), 32).is_error());
}
