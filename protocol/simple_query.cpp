// Parsing of Query and of the shared result messages.
#include "protocol/simple_query.hpp"

namespace pgfront::protocol {

std::optional<Query> Query::parse(Bytes payload) {
    WireReader reader(payload);
    Query q;
    if (!reader.cstring(q.sql) || !reader.at_end()) return std::nullopt;
    return q;
}

bool read_column_description(WireReader& reader, ColumnDescription& out) {
    return reader.cstring(out.name) && reader.u32(out.table_oid) &&
           reader.i16(out.column_attribute) && reader.u32(out.type_oid) &&
           reader.i16(out.type_size) && reader.i32(out.type_modifier) && reader.i16(out.format);
}

std::optional<RowDescription> RowDescription::parse(Bytes payload) {
    WireReader reader(payload);
    std::int16_t raw_count = 0;
    if (!reader.i16(raw_count)) return std::nullopt;
    const std::size_t count = static_cast<std::uint16_t>(raw_count);
    const Bytes columns = reader.rest();
    WireReader check(columns);
    for (std::size_t i = 0; i < count; ++i) {
        ColumnDescription column;
        if (!read_column_description(check, column)) return std::nullopt;
    }
    if (!check.at_end()) return std::nullopt;
    return RowDescription{ColumnDescriptionList(count, columns)};
}

std::optional<DataRow> DataRow::parse(Bytes payload) {
    WireReader reader(payload);
    DataRow row;
    if (!read_values(reader, row.columns) || !reader.at_end()) return std::nullopt;
    return row;
}

std::optional<CommandComplete> CommandComplete::parse(Bytes payload) {
    WireReader reader(payload);
    CommandComplete c;
    if (!reader.cstring(c.tag) || !reader.at_end()) return std::nullopt;
    return c;
}

}  // namespace pgfront::protocol
