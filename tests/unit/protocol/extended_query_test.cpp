// Tests for protocol/extended_query and its writers: Parse, Bind, Describe, Execute, Close,
// Sync, Flush, ParameterDescription, byte for byte.
#include "protocol/extended_query.hpp"

#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "protocol/message_writer.hpp"
#include "test_bytes.hpp"

using namespace pgfront::protocol;
using namespace pgfront::protocol::test;
using namespace std::string_view_literals;

namespace {

Bytes payload(const ByteBuffer& message) {
    return Bytes(message).subspan(5);
}

}  // namespace

TEST_CASE("Parse with parameter types") {
    ByteBuffer out;
    const std::array<std::uint32_t, 2> types{23, 0};
    write_parse(out, "s1", "SELECT $1, $2", types);
    CHECK(dump(out) == dump(frame('P', cat({raw("s1\0SELECT $1, $2\0"sv),
                                            hex("00 02 00 00 00 17 00 00 00 00")}))));
    const auto p = Parse::parse(payload(out));
    REQUIRE(p);
    CHECK(p->statement == "s1");
    CHECK(p->query == "SELECT $1, $2");
    REQUIRE(p->parameter_types.size() == 2);
    CHECK(p->parameter_types[0] == 23u);
    CHECK(p->parameter_types[1] == 0u);

    out.clear();
    write_parse(out, "", "SELECT 1");
    CHECK(dump(out) == dump(frame('P', cat({raw("\0SELECT 1\0"sv), hex("00 00")}))));
    CHECK(Parse::parse(payload(out))->parameter_types.empty());
}

TEST_CASE("Parse rejects truncation and trailing bytes") {
    CHECK_FALSE(Parse::parse(cat({raw("\0SELECT 1\0"sv), hex("00 01 00 00 00")})));
    CHECK_FALSE(Parse::parse(cat({raw("\0SELECT 1\0"sv), hex("00")})));
    CHECK_FALSE(Parse::parse(raw("\0SELECT 1\0"sv)));
    CHECK_FALSE(Parse::parse(cat({raw("\0SELECT 1\0"sv), hex("00 00 00")})));
    CHECK_FALSE(Parse::parse(raw("\0SELECT 1"sv)));
}

TEST_CASE("Bind with formats, a NULL and result formats") {
    ByteBuffer out;
    const std::array<std::int16_t, 1> param_formats{binary_format};
    const auto forty_two = hex("00 00 00 2a");
    const std::array<WireValue, 3> params{WireValue{forty_two}, WireValue::null(),
                                          WireValue::text("")};
    const std::array<std::int16_t, 2> result_formats{text_format, binary_format};
    write_bind(out, "p1", "s1", param_formats, params, result_formats);
    CHECK(dump(out) ==
          dump(frame('B', cat({raw("p1\0s1\0"sv), hex("00 01 00 01"),
                               hex("00 03  00 00 00 04 00 00 00 2a  ff ff ff ff  00 00 00 00"),
                               hex("00 02 00 00 00 01")}))));
    const auto b = Bind::parse(payload(out));
    REQUIRE(b);
    CHECK(b->portal == "p1");
    CHECK(b->statement == "s1");
    CHECK(b->parameter_formats.size() == 1);
    CHECK(b->parameter_formats.format_of(2) == binary_format);
    REQUIRE(b->parameters.size() == 3);
    std::vector<WireValue> values(b->parameters.begin(), b->parameters.end());
    REQUIRE(values.size() == 3);
    CHECK(dump(values[0].bytes) == "00 00 00 2a");
    CHECK_FALSE(values[0].is_null);
    CHECK(values[1].is_null);
    CHECK_FALSE(values[2].is_null);
    CHECK(values[2].bytes.empty());
    REQUIRE(b->result_formats.size() == 2);
    CHECK(b->result_formats[0] == text_format);
    CHECK(b->result_formats[1] == binary_format);
    CHECK(b->result_formats.format_of(1) == binary_format);
}

TEST_CASE("Bind with nothing") {
    ByteBuffer out;
    write_bind(out, "", "", {}, {}, {});
    CHECK(dump(out) == "42 00 00 00 0c 00 00 00 00 00 00 00 00");
    const auto b = Bind::parse(payload(out));
    REQUIRE(b);
    CHECK(b->parameters.empty());
    CHECK(b->parameters.begin() == b->parameters.end());
    CHECK(b->parameter_formats.format_of(0) == text_format);
}

TEST_CASE("Bind rejects bad value lengths and counts") {
    const auto head = raw("\0\0"sv);
    CHECK_FALSE(Bind::parse(cat({head, hex("00 00 00 01 ff ff ff fe 00 00")})));     // -2
    CHECK_FALSE(Bind::parse(cat({head, hex("00 00 00 01 00 00 00 05 61 00 00")})));  // short
    CHECK_FALSE(Bind::parse(cat({head, hex("00 00 00 02 ff ff ff ff 00 00")})));     // count
    CHECK_FALSE(Bind::parse(cat({head, hex("00 02 00 01 00 00 00 00")})));           // formats
    CHECK_FALSE(Bind::parse(cat({head, hex("00 00 00 00 00 00 00")})));              // trailing
    CHECK_FALSE(Bind::parse(cat({head, hex("00 00 00 00")})));                       // no results
    CHECK_FALSE(Bind::parse(cat({head, hex("ff ff")})));  // 65535 formats, none present
    CHECK_FALSE(Bind::parse(raw("\0"sv)));
}

TEST_CASE("Describe and Close") {
    ByteBuffer out;
    write_describe(out, TargetKind::statement, "s1");
    write_describe(out, TargetKind::portal, "");
    write_close(out, TargetKind::statement, "s1");
    write_close(out, TargetKind::portal, "p");
    CHECK(dump(out) == dump(cat({frame('D', raw("Ss1\0"sv)), frame('D', raw("P\0"sv)),
                                 frame('C', raw("Ss1\0"sv)), frame('C', raw("Pp\0"sv))})));
    const auto describe_s1 = raw("Ss1\0"sv);
    const auto d = Describe::parse(describe_s1);
    REQUIRE(d);
    CHECK(d->kind == TargetKind::statement);
    CHECK(d->name == "s1");
    const auto close_unnamed = raw("P\0"sv);
    const auto c = Close::parse(close_unnamed);
    REQUIRE(c);
    CHECK(c->kind == TargetKind::portal);
    CHECK(c->name.empty());
    CHECK_FALSE(Describe::parse(raw("Xs1\0"sv)));
    CHECK_FALSE(Describe::parse(raw("S"sv)));
    CHECK_FALSE(Describe::parse(raw(""sv)));
    CHECK_FALSE(Close::parse(raw("Ss1\0x"sv)));
}

TEST_CASE("Execute, Sync, Flush, Terminate") {
    ByteBuffer out;
    write_execute(out, "", 0);
    CHECK(dump(out) == "45 00 00 00 09 00 00 00 00 00");
    out.clear();
    write_execute(out, "p1", 100);
    const auto e = Execute::parse(payload(out));
    REQUIRE(e);
    CHECK(e->portal == "p1");
    CHECK(e->max_rows == 100);
    CHECK_FALSE(Execute::parse(raw("p1\0\0\0"sv)));
    CHECK_FALSE(Execute::parse(cat({raw("p1\0"sv), hex("00 00 00 00 00")})));

    out.clear();
    write_sync(out);
    write_flush(out);
    write_terminate(out);
    CHECK(dump(out) == "53 00 00 00 04 48 00 00 00 04 58 00 00 00 04");
}

TEST_CASE("ParameterDescription") {
    const auto bytes = hex("00 02 00 00 00 17 00 00 00 19");
    const auto d = ParameterDescription::parse(bytes);
    REQUIRE(d);
    REQUIRE(d->parameter_types.size() == 2);
    CHECK(d->parameter_types[0] == 23u);
    CHECK(d->parameter_types[1] == 25u);
    CHECK(ParameterDescription::parse(hex("00 00"))->parameter_types.empty());
    CHECK_FALSE(ParameterDescription::parse(hex("00 01 00 00")));
    CHECK_FALSE(ParameterDescription::parse(hex("00")));
}

TEST_CASE("empty extended-protocol replies") {
    ByteBuffer out;
    write_parse_complete(out);
    write_bind_complete(out);
    write_close_complete(out);
    write_no_data(out);
    CHECK(dump(out) == "31 00 00 00 04 32 00 00 00 04 33 00 00 00 04 6e 00 00 00 04");
}
