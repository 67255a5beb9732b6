// Tests for protocol/startup_messages and their writers: exact bytes, layout rules,
// protocol negotiation for 3.2 clients, SSL/GSS/cancel requests.
#include "protocol/startup_messages.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "protocol/frame_reader.hpp"
#include "protocol/message_writer.hpp"
#include "test_bytes.hpp"

using namespace pgfront::protocol;
using namespace pgfront::protocol::test;
using namespace std::string_view_literals;

namespace {

const ByteBuffer startup_app =
    cat({hex("00 00 00 21 00 03 00 00"), raw("user\0app\0database\0appdb\0\0"sv)});

// The payload a frame reader hands to StartupMessage::parse: everything after the length.
ByteBuffer payload_of(const ByteBuffer& packet) {
    return {packet.begin() + 4, packet.end()};
}

}  // namespace

TEST_CASE("StartupMessage parses user=app database=appdb") {
    const auto payload = payload_of(startup_app);
    const auto m = StartupMessage::parse(payload);
    REQUIRE(m);
    CHECK(m->protocol_version == protocol_version_3_0);
    CHECK(m->major() == 3);
    CHECK(m->minor() == 0);
    CHECK(m->user() == "app");
    CHECK(m->database() == "appdb");
    CHECK_FALSE(m->find("options"));
    std::vector<std::string> seen;
    for (const auto& p : m->parameters())
        seen.push_back(std::string(p.name) + "=" + std::string(p.value));
    CHECK(seen == std::vector<std::string>{"user=app", "database=appdb"});
    CHECK_FALSE(needs_protocol_negotiation(*m));
}

TEST_CASE("write_startup_message produces the exact bytes") {
    ByteBuffer out;
    write_startup_message(out, {{"user", "app"}, {"database", "appdb"}});
    CHECK(dump(out) == dump(startup_app));
    const std::array<StartupParameter, 1> params{{{"user", "u"}}};
    write_startup_message(out, params, make_protocol_version(3, 2));
    CHECK(dump(Bytes(out).subspan(33)) ==
          dump(cat({hex("00 00 00 10 00 03 00 02"), raw("user\0u\0\0"sv)})));
}

TEST_CASE("StartupMessage layout rules follow PostgreSQL") {
    // Views point into the packet, so each test keeps its bytes alive.
    ByteBuffer packet;
    const auto parse = [&packet](std::string_view body) {
        packet = cat({hex("00 03 00 00"), raw(body)});
        return StartupMessage::parse(packet);
    };
    CHECK(parse("\0"sv));                                       // no parameters at all
    CHECK(parse("options\0\0\0"sv)->find("options") == "");     // empty value
    CHECK(parse("user\0a\0user\0b\0\0"sv)->user() == "b");      // the last one wins
    CHECK_FALSE(parse(""sv));                                   // no terminator
    CHECK_FALSE(parse("user\0app\0"sv));                        // no terminator after pairs
    CHECK_FALSE(parse("user\0"sv));                             // name without value
    CHECK_FALSE(parse("user\0app"sv));                          // unterminated value
    CHECK_FALSE(parse("user\0app\0\0x"sv));                     // bytes after the terminator
    CHECK_FALSE(parse("user\0app\0\0\0"sv));                    // two terminators
    CHECK_FALSE(StartupMessage::parse(hex("00 03 00")));        // short version
    CHECK_FALSE(StartupMessage::parse(hex("00 02 00 00 00")));  // protocol 2.0
    CHECK_FALSE(StartupMessage::parse(hex("04 d2 16 2f")));     // an SSLRequest
}

TEST_CASE("classify_startup") {
    CHECK(classify_startup(196608) == StartupKind::startup_message);
    CHECK(classify_startup(make_protocol_version(3, 2)) == StartupKind::startup_message);
    CHECK(classify_startup(80877103) == StartupKind::ssl_request);
    CHECK(classify_startup(80877104) == StartupKind::gssenc_request);
    CHECK(classify_startup(80877102) == StartupKind::cancel_request);
    CHECK(classify_startup(131072) == StartupKind::unsupported);  // 2.0
    CHECK(classify_startup(make_protocol_version(1234, 5681)) == StartupKind::unsupported);
    CHECK(classify_startup(0) == StartupKind::unsupported);
}

TEST_CASE("a 3.2 client is answered with NegotiateProtocolVersion") {
    ByteBuffer packet;
    write_startup_message(packet, {{"user", "app"}}, make_protocol_version(3, 2));
    const auto frame = read_startup_frame(packet);
    REQUIRE(frame.is_frame());
    const auto m = StartupMessage::parse(frame.payload);
    REQUIRE(m);
    CHECK(m->minor() == 2);
    CHECK(needs_protocol_negotiation(*m));
    CHECK_FALSE(needs_protocol_negotiation(*m, 2));

    ByteBuffer out;
    write_negotiate_protocol_version(out, *m);
    CHECK(dump(out) == "76 00 00 00 0c 00 00 00 00 00 00 00 00");
    const auto n = NegotiateProtocolVersion::parse(Bytes(out).subspan(5));
    REQUIRE(n);
    CHECK(n->newest_minor == 0);
    CHECK(n->unrecognized_options.empty());
}

TEST_CASE("protocol options are listed as unrecognized") {
    ByteBuffer packet;
    write_startup_message(packet, {{"user", "app"}, {"_pq_.compression", "on"}, {"_pq_.x", ""}});
    const auto m = StartupMessage::parse(Bytes(packet).subspan(4));
    REQUIRE(m);
    CHECK(m->protocol_option_count() == 2);
    CHECK(needs_protocol_negotiation(*m));
    ByteBuffer out;
    write_negotiate_protocol_version(out, *m);
    CHECK(dump(out) == dump(frame('v', cat({hex("00 00 00 00 00 00 00 02"),
                                            raw("_pq_.compression\0_pq_.x\0"sv)}))));
    const auto n = NegotiateProtocolVersion::parse(Bytes(out).subspan(5));
    REQUIRE(n);
    std::vector<std::string_view> names(n->unrecognized_options.begin(),
                                        n->unrecognized_options.end());
    CHECK(names == std::vector<std::string_view>{"_pq_.compression", "_pq_.x"});
}

TEST_CASE("NegotiateProtocolVersion rejects bad counts") {
    CHECK_FALSE(NegotiateProtocolVersion::parse(hex("00 00 00 00 00 00 00 01")));
    CHECK_FALSE(NegotiateProtocolVersion::parse(hex("00 00 00 00 ff ff ff ff")));
    CHECK_FALSE(
        NegotiateProtocolVersion::parse(cat({hex("00 00 00 00 00 00 00 00"), raw("x\0"sv)})));
    CHECK_FALSE(NegotiateProtocolVersion::parse(hex("00 00 00 00 00 00")));
}

TEST_CASE("SSLRequest and GSSENCRequest") {
    ByteBuffer out;
    write_ssl_request(out);
    CHECK(dump(out) == "00 00 00 08 04 d2 16 2f");
    CHECK(SslRequest::parse(Bytes(out).subspan(4)));
    CHECK_FALSE(SslRequest::parse(hex("04 d2 16 30")));
    CHECK_FALSE(SslRequest::parse(hex("04 d2 16 2f 00")));
    CHECK(GssEncRequest::parse(hex("04 d2 16 30")));
    CHECK_FALSE(GssEncRequest::parse(hex("04 d2 16 2f")));

    ByteBuffer answer;
    write_ssl_response(answer, true);
    write_ssl_response(answer, false);
    write_gssenc_response(answer, true);
    write_gssenc_response(answer, false);
    CHECK(as_text(answer) == "SNGN");
}

TEST_CASE("CancelRequest") {
    ByteBuffer out;
    write_cancel_request(out, 12345, 0xdeadbeef);
    CHECK(dump(out) == "00 00 00 10 04 d2 16 2e 00 00 30 39 de ad be ef");
    const auto c = CancelRequest::parse(Bytes(out).subspan(4));
    REQUIRE(c);
    CHECK(c->process_id == 12345);
    CHECK(c->secret_key_u32() == 0xdeadbeefu);

    SUBCASE("3.2 keys are longer") {
        ByteBuffer key(32, std::byte{7});
        ByteBuffer long_out;
        write_cancel_request(long_out, 1, key);
        const auto frame = read_startup_frame(long_out);
        REQUIRE(frame.is_frame());
        const auto lc = CancelRequest::parse(frame.payload);
        REQUIRE(lc);
        CHECK(lc->secret_key.size() == 32);
        CHECK_FALSE(lc->secret_key_u32());
    }
    SUBCASE("bad sizes and codes") {
        CHECK_FALSE(CancelRequest::parse(hex("04 d2 16 2e 00 00 30 39 de ad be")));
        CHECK_FALSE(CancelRequest::parse(cat({hex("04 d2 16 2e 00 00 30 39"), ByteBuffer(257)})));
        CHECK(CancelRequest::parse(cat({hex("04 d2 16 2e 00 00 30 39"), ByteBuffer(256)})));
        CHECK_FALSE(CancelRequest::parse(hex("04 d2 16 2f 00 00 30 39 de ad be ef")));
        CHECK_FALSE(CancelRequest::parse(hex("04 d2")));
    }
}
