// Tests for protocol/function_call: FunctionCall and FunctionCallResponse.
#include "protocol/function_call.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "test_bytes.hpp"

using namespace pgfront::protocol;
using namespace pgfront::protocol::test;

TEST_CASE("FunctionCall") {
    // lo_open-like call: oid 952, one binary format, two args, binary result.
    const auto payload =
        hex("00 00 03 b8  00 01 00 01  00 02 00 00 00 04 00 00 40 00 ff ff ff ff"
            "  00 01");
    const auto f = FunctionCall::parse(payload);
    REQUIRE(f);
    CHECK(f->function_oid == 952u);
    CHECK(f->argument_formats.format_of(1) == binary_format);
    std::vector<WireValue> args(f->arguments.begin(), f->arguments.end());
    REQUIRE(args.size() == 2);
    CHECK(dump(args[0].bytes) == "00 00 40 00");
    CHECK(args[1].is_null);
    CHECK(f->result_format == 1);
    CHECK_FALSE(FunctionCall::parse(Bytes(payload).first(payload.size() - 1)));
    CHECK_FALSE(FunctionCall::parse(hex("00 00 03 b8 00 00 00 00")));
}

TEST_CASE("FunctionCallResponse") {
    CHECK(FunctionCallResponse::parse(hex("ff ff ff ff"))->result.is_null);
    const auto bytes = hex("00 00 00 02 61 62");
    const auto r = FunctionCallResponse::parse(bytes);
    REQUIRE(r);
    CHECK(r->result.as_text() == "ab");
    CHECK_FALSE(FunctionCallResponse::parse(hex("00 00 00 02 61")));
    CHECK_FALSE(FunctionCallResponse::parse(hex("00 00 00 00 61")));
    CHECK_FALSE(FunctionCallResponse::parse(hex("ff ff ff fe")));
}
