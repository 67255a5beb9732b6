// Tests for protocol/message_builder: the length word, for whole messages and for heads.
#include "protocol/message_builder.hpp"

#include <doctest/doctest.h>

#include "test_bytes.hpp"

using namespace pgfront::protocol;
using namespace pgfront::protocol::test;
using namespace std::string_view_literals;

TEST_CASE("finish counts the length word and the body, not the type byte") {
    ByteBuffer out;
    MessageBuilder(out, 'Q').cstring("SELECT 1").finish();
    CHECK(out == cat({hex("51 00 00 00 0d"), raw("SELECT 1\0"sv)}));
}

TEST_CASE("finish_head counts the bytes the caller sends after the head") {
    ByteBuffer out = hex("53 00 00 00 04");  // bytes already there stay as they are
    MessageBuilder(out, 'B').cstring("").cstring("s1").finish_head(1000);
    // 4 (length) + 1 (portal) + 3 (statement) + 1000 = 1008 = 0x3f0
    CHECK(out == cat({hex("53 00 00 00 04"), hex("42 00 00 03 f0"), raw("\0s1\0"sv)}));
}
