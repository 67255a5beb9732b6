// Tests for protocol/error_fields, the ErrorResponse/NoticeResponse writers, and the
// SQLSTATE constants generated from PostgreSQL's errcodes.h.
#include "protocol/error_fields.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "protocol/message_writer.hpp"
#include "protocol/sqlstate.hpp"
#include "test_bytes.hpp"

using namespace pgfront::protocol;
using namespace pgfront::protocol::test;
using namespace std::string_view_literals;

TEST_CASE("write_error_response produces the exact bytes") {
    ByteBuffer out;
    write_error_response(out, {Severity::fatal, sqlstate::invalid_password,
                               "password authentication failed for user \"app\""});
    const auto expected = frame('E', raw("SFATAL\0VFATAL\0C28P01\0"
                                         "Mpassword authentication failed for user \"app\"\0\0"sv));
    CHECK(dump(out) == dump(expected));
    CHECK(out.size() == 1 + 4 + 7 + 7 + 7 + 47 + 1);
}

TEST_CASE("write_error_response adds detail and hint only when given") {
    ByteBuffer out;
    write_error_response(out, {Severity::error, sqlstate::too_many_connections, "too many clients",
                               "max_client_conn is 100", "try later"});
    CHECK(dump(out) == dump(frame('E', raw("SERROR\0VERROR\0C53300\0Mtoo many clients\0"
                                           "Dmax_client_conn is 100\0Htry later\0\0"sv))));
    out.clear();
    write_notice_response(out, {Severity::warning, sqlstate::warning, "careful", {}, "a hint"});
    CHECK(dump(out) == dump(frame('N', raw("SWARNING\0VWARNING\0C01000\0Mcareful\0"
                                           "Ha hint\0\0"sv))));
}

TEST_CASE("writers cut text at an embedded NUL so the frame stays valid") {
    ByteBuffer out;
    write_error_response(out, {Severity::error, "08P01", "bad\0tail"sv});
    const auto fields = ErrorFields::parse(Bytes(out).subspan(5));
    REQUIRE(fields);
    CHECK(fields->message() == "bad");
}

TEST_CASE("ErrorFields reads a server's ErrorResponse") {
    const auto payload =
        raw("SERROR\0VERROR\0C42P01\0Mrelation \"x\" does not exist\0P15\0"
            "Fparse_relation.c\0L1392\0RparserOpenTable\0\0"sv);
    const auto e = ErrorFields::parse(payload);
    REQUIRE(e);
    CHECK(e->severity() == "ERROR");
    CHECK(e->sqlstate() == "42P01");
    CHECK(e->message() == "relation \"x\" does not exist");
    CHECK(e->find(error_field::position) == "15");
    CHECK(e->find(error_field::file) == "parse_relation.c");
    CHECK(e->find(error_field::line) == "1392");
    CHECK(e->find(error_field::routine) == "parserOpenTable");
    CHECK_FALSE(e->find(error_field::detail));
    CHECK_FALSE(e->is_fatal());
    std::string codes;
    for (const auto f : e->fields()) codes += f.code;
    CHECK(codes == "SVCMPFLR");
}

TEST_CASE("severity prefers the non-localized field") {
    const auto localized = raw("SSCHWERWIEGEND\0VFATAL\0C57P01\0Mx\0\0"sv);
    const auto panic = raw("SPANIC\0\0"sv);
    const auto empty = raw("\0"sv);
    auto e = ErrorFields::parse(localized);
    REQUIRE(e);
    CHECK(e->severity() == "FATAL");
    CHECK(e->is_fatal());
    e = ErrorFields::parse(panic);
    REQUIRE(e);
    CHECK(e->is_fatal());
    e = ErrorFields::parse(empty);
    REQUIRE(e);
    CHECK(e->severity().empty());
    CHECK(e->sqlstate().empty());
    CHECK(e->fields().begin() == e->fields().end());
}

TEST_CASE("ErrorFields rejects broken layouts") {
    CHECK_FALSE(ErrorFields::parse(ByteBuffer{}));
    CHECK_FALSE(ErrorFields::parse(raw("SERROR\0"sv)));  // no terminator
    CHECK_FALSE(ErrorFields::parse(raw("SERROR"sv)));    // unterminated value
    CHECK_FALSE(ErrorFields::parse(raw("S"sv)));
    CHECK_FALSE(ErrorFields::parse(raw("SERROR\0\0M"sv)));  // after the terminator
}

TEST_CASE("severity_text names every severity") {
    CHECK(severity_text(Severity::error) == "ERROR");
    CHECK(severity_text(Severity::fatal) == "FATAL");
    CHECK(severity_text(Severity::panic) == "PANIC");
    CHECK(severity_text(Severity::warning) == "WARNING");
    CHECK(severity_text(Severity::notice) == "NOTICE");
    CHECK(severity_text(Severity::debug) == "DEBUG");
    CHECK(severity_text(Severity::info) == "INFO");
    CHECK(severity_text(Severity::log) == "LOG");
}

TEST_CASE("generated SQLSTATE constants match PostgreSQL's codes") {
    CHECK(sqlstate::invalid_password == "28P01");
    CHECK(sqlstate::too_many_connections == "53300");
    CHECK(sqlstate::admin_shutdown == "57P01");
    CHECK(sqlstate::connection_failure == "08006");
    CHECK(sqlstate::protocol_violation == "08P01");
    CHECK(sqlstate::successful_completion == "00000");
    CHECK(sqlstate::query_canceled == "57014");
    CHECK(sqlstate::invalid_authorization_specification == "28000");
    CHECK(sqlstate::feature_not_supported == "0A000");
    CHECK(sqlstate::name_of("28P01") == "invalid_password");
    CHECK(sqlstate::name_of("ZZZZZ").empty());

    CHECK(sqlstate::all.size() > 200);
    std::set<std::string_view> names;
    for (const auto& entry : sqlstate::all) {
        CAPTURE(entry.name);
        CHECK(entry.code.size() == 5);
        for (const char c : entry.code) CHECK(((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')));
        CHECK(names.insert(entry.name).second);
    }
}
