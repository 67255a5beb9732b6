// Tests for protocol/backend_status and its writers: ReadyForQuery, ParameterStatus,
// BackendKeyData, NotificationResponse.
#include "protocol/backend_status.hpp"

#include <doctest/doctest.h>

#include "protocol/message_writer.hpp"
#include "test_bytes.hpp"

using namespace pgfront::protocol;
using namespace pgfront::protocol::test;
using namespace std::string_view_literals;

TEST_CASE("ReadyForQuery") {
    ByteBuffer out;
    write_ready_for_query(out, TransactionStatus::idle);
    write_ready_for_query(out, TransactionStatus::in_transaction);
    write_ready_for_query(out, TransactionStatus::failed);
    CHECK(dump(out) == "5a 00 00 00 05 49 5a 00 00 00 05 54 5a 00 00 00 05 45");
    CHECK(ReadyForQuery::parse(hex("49"))->status == TransactionStatus::idle);
    CHECK(ReadyForQuery::parse(hex("54"))->status == TransactionStatus::in_transaction);
    CHECK(ReadyForQuery::parse(hex("45"))->status == TransactionStatus::failed);
    CHECK_FALSE(ReadyForQuery::parse(hex("58")));
    CHECK_FALSE(ReadyForQuery::parse(hex("")));
    CHECK_FALSE(ReadyForQuery::parse(hex("49 49")));
}

TEST_CASE("a reply's end: bytes that end with a whole ReadyForQuery") {
    CHECK(ends_with_ready_for_query(hex("5a 00 00 00 05 49")));
    CHECK(ends_with_ready_for_query(hex("43 00 00 00 0d 53 45 4c 45 43 54 20 31 00 5a 00 00 00 05 54")));
    CHECK(ends_with_ready_for_query(hex("00 5a 00 00 00 05 45")));
    CHECK_FALSE(ends_with_ready_for_query(hex("5a 00 00 00 05")));         // status still to come
    CHECK_FALSE(ends_with_ready_for_query(hex("5a 00 00 00 05 58")));      // no such status
    CHECK_FALSE(ends_with_ready_for_query(hex("5a 00 00 00 06 49")));      // another length
    CHECK_FALSE(ends_with_ready_for_query(hex("5a 00 00 00 05 49 00")));   // something after it
    CHECK_FALSE(ends_with_ready_for_query(hex("45 00 00 00 05 49")));      // another message
    CHECK_FALSE(ends_with_ready_for_query(hex("")));
}

TEST_CASE("ParameterStatus") {
    ByteBuffer out;
    write_parameter_status(out, "server_version", "15.6");
    CHECK(dump(out) == dump(frame('S', raw("server_version\0"
                                           "15.6\0"sv))));
    const auto p = ParameterStatus::parse(Bytes(out).subspan(5));
    REQUIRE(p);
    CHECK(p->name == "server_version");
    CHECK(p->value == "15.6");
    CHECK(ParameterStatus::parse(raw("application_name\0\0"sv))->value == "");
    CHECK_FALSE(ParameterStatus::parse(raw("a\0b"sv)));
    CHECK_FALSE(ParameterStatus::parse(raw("a\0b\0c"sv)));
}

TEST_CASE("BackendKeyData") {
    ByteBuffer out;
    write_backend_key_data(out, 4242, 0x01020304);
    CHECK(dump(out) == "4b 00 00 00 0c 00 00 10 92 01 02 03 04");
    const auto k = BackendKeyData::parse(Bytes(out).subspan(5));
    REQUIRE(k);
    CHECK(k->process_id == 4242);
    CHECK(k->secret_key_u32() == 0x01020304u);
    CHECK(BackendKeyData::parse(cat({hex("00 00 00 01"), ByteBuffer(32)}))->secret_key.size() ==
          32);
    CHECK_FALSE(BackendKeyData::parse(hex("00 00 00 01 02 03 04")));
    CHECK_FALSE(BackendKeyData::parse(cat({hex("00 00 00 01"), ByteBuffer(257)})));
}

TEST_CASE("NotificationResponse") {
    const auto bytes = cat({hex("00 00 00 07"), raw("jobs\0"
                                                    "42\0"sv)});
    const auto n = NotificationResponse::parse(bytes);
    REQUIRE(n);
    CHECK(n->process_id == 7);
    CHECK(n->channel == "jobs");
    CHECK(n->payload == "42");
    CHECK_FALSE(NotificationResponse::parse(cat({hex("00 00 00 07"), raw("jobs\0"sv)})));
    CHECK_FALSE(NotificationResponse::parse(hex("00 00 00")));
}
