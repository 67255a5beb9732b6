// Tests for protocol/copy and the COPY writers.
#include "protocol/copy.hpp"

#include <doctest/doctest.h>

#include "protocol/message_writer.hpp"
#include "test_bytes.hpp"

using namespace pgfront::protocol;
using namespace pgfront::protocol::test;
using namespace std::string_view_literals;

TEST_CASE("CopyInResponse / CopyOutResponse / CopyBothResponse layout") {
    const auto text_bytes = hex("00 00 02 00 00 00 00");
    const auto c = CopyResponse::parse(text_bytes);
    REQUIRE(c);
    CHECK(c->format == 0);
    REQUIRE(c->column_formats.size() == 2);
    CHECK(c->column_formats[1] == 0);
    const auto binary_bytes = hex("01 00 01 00 01");
    const auto b = CopyResponse::parse(binary_bytes);
    REQUIRE(b);
    CHECK(b->format == 1);
    CHECK(b->column_formats.format_of(0) == binary_format);
    CHECK(CopyResponse::parse(hex("00 00 00")));
    CHECK_FALSE(CopyResponse::parse(hex("02 00 00")));     // format 2
    CHECK_FALSE(CopyResponse::parse(hex("00 00 01 00")));  // short codes
    CHECK_FALSE(CopyResponse::parse(hex("00 00 00 00")));  // trailing
    CHECK_FALSE(CopyResponse::parse(hex("00")));
}

TEST_CASE("CopyData, CopyDone, CopyFail") {
    ByteBuffer out;
    write_copy_data(out, as_bytes("1\tone\n"));
    write_copy_done(out);
    write_copy_fail(out, "client gave up");
    CHECK(dump(out) == dump(cat({frame('d', raw("1\tone\n")), hex("63 00 00 00 04"),
                                 frame('f', raw("client gave up\0"sv))})));
    CHECK(as_text(CopyData::parse(raw("abc"))->data) == "abc");
    CHECK(CopyFail::parse(raw("why\0"sv))->message == "why");
    CHECK_FALSE(CopyFail::parse(raw("why"sv)));
}
