// The field list shared by ErrorResponse ('E') and NoticeResponse ('N'): a view to iterate and
// look up fields, and the Severity / ErrorReport vocabulary the writers take.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/bytes.hpp"
#include "protocol/wire_reader.hpp"

namespace pgfront::protocol {

// Field type codes from the docs' "Error and Notice Message Fields".
namespace error_field {
inline constexpr char severity = 'S';  // localized
inline constexpr char severity_nonlocalized = 'V';
inline constexpr char sqlstate = 'C';
inline constexpr char message = 'M';
inline constexpr char detail = 'D';
inline constexpr char hint = 'H';
inline constexpr char position = 'P';
inline constexpr char internal_position = 'p';
inline constexpr char internal_query = 'q';
inline constexpr char where = 'W';
inline constexpr char schema_name = 's';
inline constexpr char table_name = 't';
inline constexpr char column_name = 'c';
inline constexpr char data_type_name = 'd';
inline constexpr char constraint_name = 'n';
inline constexpr char file = 'F';
inline constexpr char line = 'L';
inline constexpr char routine = 'R';
}  // namespace error_field

struct ErrorField {
    char code = 0;
    std::string_view value;
};

class ErrorFieldList {
  public:
    class iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = ErrorField;
        using difference_type = std::ptrdiff_t;
        using pointer = const ErrorField*;
        using reference = ErrorField;

        iterator() = default;
        explicit iterator(CStringList::iterator at) : at_(at) {}
        // Each entry is the code byte followed by the value: one NUL-terminated string.
        ErrorField operator*() const {
            const std::string_view entry = *at_;
            return {entry.front(), entry.substr(1)};
        }
        iterator& operator++() {
            ++at_;
            return *this;
        }
        friend bool operator==(const iterator&, const iterator&) = default;

      private:
        CStringList::iterator at_;
    };

    ErrorFieldList() = default;
    explicit ErrorFieldList(Bytes bytes) : entries_(bytes) {}
    iterator begin() const { return iterator(entries_.begin()); }
    iterator end() const { return iterator(entries_.end()); }

  private:
    CStringList entries_;
};

// ErrorResponse / NoticeResponse body: (Byte1 code, String value)* then a NUL.
struct ErrorFields {
    Bytes field_bytes;  // the entries, without the final NUL

    ErrorFieldList fields() const { return ErrorFieldList(field_bytes); }
    std::optional<std::string_view> find(char code) const;
    // 'V' when present (never translated), else 'S'. Empty when neither is sent.
    std::string_view severity() const;
    std::string_view sqlstate() const { return find(error_field::sqlstate).value_or(""); }
    std::string_view message() const { return find(error_field::message).value_or(""); }
    // FATAL and PANIC end the session: the server closes the connection after sending it.
    bool is_fatal() const;

    static std::optional<ErrorFields> parse(Bytes payload);
};

enum class Severity : std::uint8_t { error, fatal, panic, warning, notice, debug, info, log };
std::string_view severity_text(Severity severity);  // "ERROR", "FATAL", ...

// What pgfront itself reports to a client. Empty detail/hint are left out of the message.
struct ErrorReport {
    Severity severity = Severity::error;
    std::string_view sqlstate;  // use the generated constants in protocol/sqlstate.hpp
    std::string_view message;
    std::string_view detail = {};
    std::string_view hint = {};
};

}  // namespace pgfront::protocol
