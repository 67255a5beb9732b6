// Views of the simple-query message and of the results both query protocols share: Query,
// RowDescription, DataRow and CommandComplete (EmptyQueryResponse has an empty payload).
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

#include "protocol/bytes.hpp"
#include "protocol/value_list.hpp"
#include "protocol/wire_reader.hpp"

namespace pgfront::protocol {

// Query: one String, possibly several statements separated by semicolons.
struct Query {
    std::string_view sql;
    static std::optional<Query> parse(Bytes payload);
};

// One field of RowDescription.
struct ColumnDescription {
    std::string_view name;
    std::uint32_t table_oid = 0;        // 0 when not a table column
    std::int16_t column_attribute = 0;  // attribute number, 0 when not a table column
    std::uint32_t type_oid = 0;
    std::int16_t type_size = 0;  // pg_type.typlen; negative for variable width
    std::int32_t type_modifier = 0;
    std::int16_t format = 0;  // 0 text, 1 binary; 0 in answers to Describe of a statement
};

// Reads one column description; exposed for RowDescription's iterator.
bool read_column_description(WireReader& reader, ColumnDescription& out);

class ColumnDescriptionList {
  public:
    class iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = ColumnDescription;
        using difference_type = std::ptrdiff_t;
        using pointer = const ColumnDescription*;
        using reference = ColumnDescription;

        iterator() = default;
        explicit iterator(Bytes rest) : rest_(rest) { load(); }
        ColumnDescription operator*() const { return current_; }
        iterator& operator++() {
            rest_ = rest_.subspan(std::min(rest_.size(), current_.name.size() + 1 + 18));
            load();
            return *this;
        }
        friend bool operator==(const iterator& a, const iterator& b) {
            return a.rest_.size() == b.rest_.size();
        }

      private:
        void load() {
            WireReader reader(rest_);
            if (!read_column_description(reader, current_)) rest_ = {};
        }
        Bytes rest_;
        ColumnDescription current_;
    };

    ColumnDescriptionList() = default;
    ColumnDescriptionList(std::size_t count, Bytes bytes) : count_(count), bytes_(bytes) {}
    std::size_t size() const { return count_; }
    iterator begin() const { return iterator(bytes_); }
    iterator end() const { return iterator(); }

  private:
    std::size_t count_ = 0;
    Bytes bytes_;
};

// RowDescription ('T'): Int16 count, then per column String name, Int32 table OID, Int16
// attribute number, Int32 type OID, Int16 type size, Int32 type modifier, Int16 format.
struct RowDescription {
    ColumnDescriptionList columns;
    static std::optional<RowDescription> parse(Bytes payload);
};

// DataRow ('D'): Int16 count, then per column Int32 length (-1 = NULL) and the bytes.
struct DataRow {
    ValueList columns;
    static std::optional<DataRow> parse(Bytes payload);
};

// CommandComplete ('C'): the command tag, e.g. "SELECT 3", "INSERT 0 1", "BEGIN".
struct CommandComplete {
    std::string_view tag;
    static std::optional<CommandComplete> parse(Bytes payload);
};

}  // namespace pgfront::protocol
