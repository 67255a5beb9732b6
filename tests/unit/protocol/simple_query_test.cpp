// Tests for protocol/simple_query and the result writers: Query, RowDescription, DataRow,
// CommandComplete, EmptyQueryResponse.
#include "protocol/simple_query.hpp"

#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "protocol/message_writer.hpp"
#include "test_bytes.hpp"

using namespace pgfront::protocol;
using namespace pgfront::protocol::test;
using namespace std::string_view_literals;

TEST_CASE("Query") {
    ByteBuffer out;
    write_query(out, "SELECT 1; SELECT 2");
    CHECK(dump(out) == dump(frame('Q', raw("SELECT 1; SELECT 2\0"sv))));
    CHECK(Query::parse(Bytes(out).subspan(5))->sql == "SELECT 1; SELECT 2");
    CHECK(Query::parse(raw("\0"sv))->sql.empty());
    CHECK_FALSE(Query::parse(raw("SELECT 1"sv)));
    CHECK_FALSE(Query::parse(raw("SELECT 1\0\0"sv)));
    CHECK_FALSE(Query::parse(ByteBuffer{}));
}

TEST_CASE("RowDescription round trip and exact bytes") {
    const std::array<ColumnDescription, 2> columns{
        ColumnDescription{"database", 0, 0, 25, -1, -1, 0},
        ColumnDescription{"cl_active", 16384, 3, 23, 4, -1, 1}};
    ByteBuffer out;
    write_row_description(out, columns);
    CHECK(dump(out) ==
          dump(frame('T', cat({hex("00 02"), raw("database\0"sv),
                               hex("00 00 00 00 00 00 00 00 00 19 ff ff ff ff ff ff 00 00"),
                               raw("cl_active\0"sv),
                               hex("00 00 40 00 00 03 00 00 00 17 00 04 ff ff ff ff 00 01")}))));
    const auto r = RowDescription::parse(Bytes(out).subspan(5));
    REQUIRE(r);
    CHECK(r->columns.size() == 2);
    std::vector<ColumnDescription> seen(r->columns.begin(), r->columns.end());
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].name == "database");
    CHECK(seen[0].type_oid == 25u);
    CHECK(seen[0].type_size == -1);
    CHECK(seen[1].name == "cl_active");
    CHECK(seen[1].table_oid == 16384u);
    CHECK(seen[1].column_attribute == 3);
    CHECK(seen[1].type_modifier == -1);
    CHECK(seen[1].format == 1);
}

TEST_CASE("RowDescription rejects truncation") {
    CHECK(RowDescription::parse(hex("00 00")));
    CHECK_FALSE(RowDescription::parse(hex("00 01")));
    CHECK_FALSE(RowDescription::parse(cat({hex("00 01"), raw("a\0"sv), ByteBuffer(17)})));
    CHECK_FALSE(RowDescription::parse(cat({hex("00 01"), raw("a\0"sv), ByteBuffer(19)})));
    CHECK_FALSE(RowDescription::parse(cat({hex("00 01"), raw("a"sv), ByteBuffer(18)})));
    CHECK(RowDescription::parse(cat({hex("00 01"), raw("a\0"sv), ByteBuffer(18)})));
}

TEST_CASE("DataRow with text, empty and NULL columns") {
    const std::array<WireValue, 3> values{WireValue::text("pgfront"), WireValue::text(""),
                                          WireValue::null()};
    ByteBuffer out;
    write_data_row(out, values);
    CHECK(dump(out) == dump(frame('D', cat({hex("00 03 00 00 00 07"), raw("pgfront"),
                                            hex("00 00 00 00 ff ff ff ff")}))));
    const auto row = DataRow::parse(Bytes(out).subspan(5));
    REQUIRE(row);
    std::vector<WireValue> seen(row->columns.begin(), row->columns.end());
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].as_text() == "pgfront");
    CHECK(seen[1].as_text().empty());
    CHECK_FALSE(seen[1].is_null);
    CHECK(seen[2].is_null);
    CHECK_FALSE(DataRow::parse(hex("00 01 00 00 00 02 61")));
    CHECK_FALSE(DataRow::parse(hex("00 01 80 00 00 00")));
    CHECK_FALSE(DataRow::parse(hex("00 00 00")));
}

TEST_CASE("CommandComplete and EmptyQueryResponse") {
    ByteBuffer out;
    write_command_complete(out, "SELECT 3");
    CHECK(dump(out) == dump(frame('C', raw("SELECT 3\0"sv))));
    CHECK(CommandComplete::parse(Bytes(out).subspan(5))->tag == "SELECT 3");
    CHECK_FALSE(CommandComplete::parse(raw("SELECT 3"sv)));
    out.clear();
    write_empty_query_response(out);
    CHECK(dump(out) == "49 00 00 00 04");
}
