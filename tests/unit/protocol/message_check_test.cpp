// Tests for protocol/message_check: every writer's output is well formed when read back
// through the frame reader, and malformed payloads are caught.
#include "protocol/message_check.hpp"

#include <doctest/doctest.h>

#include <array>

#include "protocol/frame_reader.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/sqlstate.hpp"
#include "test_bytes.hpp"

using namespace pgfront::protocol;
using namespace pgfront::protocol::test;
using namespace std::string_view_literals;

namespace {

// Reads every frame of `stream` and checks each one; returns how many there were.
int check_all(const ByteBuffer& stream, Sender from) {
    Bytes rest = stream;
    int count = 0;
    while (!rest.empty()) {
        const auto r = read_frame(rest, from);
        REQUIRE(r.is_frame());
        CAPTURE(r.type);
        CHECK(is_well_formed(from, r.type, r.payload));
        rest = rest.subspan(r.consumed);
        ++count;
    }
    return count;
}

}  // namespace

TEST_CASE("every backend writer produces well-formed frames") {
    ByteBuffer out;
    const std::array<std::byte, 4> salt{};
    write_error_response(out, {Severity::error, sqlstate::admin_shutdown, "bye", "d", "h"});
    write_notice_response(out, {Severity::notice, sqlstate::successful_completion, "n"});
    write_authentication_ok(out);
    write_authentication_cleartext_password(out);
    write_authentication_md5_password(out, salt);
    write_authentication_sasl(out, {"SCRAM-SHA-256"});
    write_authentication_sasl_continue(out, as_bytes("r=1"));
    write_authentication_sasl_final(out, as_bytes("v=1"));
    write_parameter_status(out, "TimeZone", "UTC");
    write_backend_key_data(out, 1, 2);
    write_ready_for_query(out, TransactionStatus::idle);
    write_negotiate_protocol_version(out, 0, std::array<std::string_view, 1>{"_pq_.a"});
    const std::array<ColumnDescription, 1> columns{ColumnDescription{"c", 0, 0, 25, -1, -1, 0}};
    write_row_description(out, columns);
    const std::array<WireValue, 2> values{WireValue::text("v"), WireValue::null()};
    write_data_row(out, values);
    write_command_complete(out, "SHOW");
    write_empty_query_response(out);
    write_parse_complete(out);
    write_bind_complete(out);
    write_close_complete(out);
    write_no_data(out);
    write_copy_data(out, as_bytes("x"));
    write_copy_done(out);
    CHECK(check_all(out, Sender::backend) == 22);
}

TEST_CASE("every frontend writer produces well-formed frames") {
    ByteBuffer out;
    const std::array<std::uint32_t, 1> types{23};
    const std::array<WireValue, 1> values{WireValue::text("1")};
    const std::array<std::int16_t, 1> formats{0};
    write_password_message(out, "secret");
    write_sasl_initial_response(out, "SCRAM-SHA-256", as_bytes("n,,n=,r=x"));
    write_sasl_response(out, as_bytes("c=biws"));
    write_query(out, "SELECT 1");
    write_parse(out, "s", "SELECT $1", types);
    write_bind(out, "", "s", formats, values, formats);
    write_describe(out, TargetKind::portal, "");
    write_execute(out, "", 0);
    write_close(out, TargetKind::statement, "s");
    write_sync(out);
    write_flush(out);
    write_copy_data(out, as_bytes("1\n"));
    write_copy_done(out);
    write_copy_fail(out, "no");
    write_terminate(out);
    CHECK(check_all(out, Sender::frontend) == 15);
}

TEST_CASE("malformed payloads are not well formed") {
    CHECK_FALSE(is_well_formed(Sender::frontend, 'S', hex("00")));
    CHECK_FALSE(is_well_formed(Sender::frontend, 'Q', raw("no terminator")));
    CHECK_FALSE(is_well_formed(Sender::frontend, 'D', raw("Q\0"sv)));
    CHECK_FALSE(is_well_formed(Sender::frontend, 'Z', hex("49")));
    CHECK_FALSE(is_well_formed(Sender::backend, 'Z', hex("51")));
    CHECK_FALSE(is_well_formed(Sender::backend, '1', hex("00")));
    CHECK_FALSE(is_well_formed(Sender::backend, 'E', raw("SERROR\0"sv)));
    CHECK_FALSE(is_well_formed(Sender::backend, 'R', hex("00 00 00 05")));
    CHECK_FALSE(is_well_formed(Sender::backend, 'Q', raw("\0"sv)));
    CHECK(is_well_formed(Sender::frontend, 'p', hex("ff 00 01")));
    CHECK(is_well_formed(Sender::backend, 'd', hex("")));
}
