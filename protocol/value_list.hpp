// The array shapes several messages share: Int16 counts of format codes, type OIDs, and
// length-prefixed values (-1 = NULL), as in Bind, DataRow, FunctionCall and Parse.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "protocol/bytes.hpp"
#include "protocol/wire_reader.hpp"

namespace pgfront::protocol {

// One parameter, column or argument value. NULL is sent as length -1 with no bytes.
struct WireValue {
    Bytes bytes;
    bool is_null = false;

    static WireValue null() { return {{}, true}; }
    static WireValue text(std::string_view value) { return {as_bytes(value), false}; }
    std::string_view as_text() const { return protocol::as_text(bytes); }
};

inline constexpr std::int16_t text_format = 0;
inline constexpr std::int16_t binary_format = 1;

// A validated array of fixed-size big-endian integers, read in place.
class FormatCodes {
  public:
    FormatCodes() = default;
    explicit FormatCodes(Bytes bytes) : bytes_(bytes) {}
    std::size_t size() const { return bytes_.size() / 2; }
    bool empty() const { return bytes_.empty(); }
    std::int16_t operator[](std::size_t i) const {
        return static_cast<std::int16_t>(load_u16(bytes_.data() + 2 * i));
    }
    // The docs' rule: no codes means all text, one code applies to every value, otherwise
    // one code per value. Out-of-range indexes (a malformed Bind) read as text.
    std::int16_t format_of(std::size_t index) const {
        if (size() == 1) return (*this)[0];
        return index < size() ? (*this)[index] : text_format;
    }
    Bytes bytes() const { return bytes_; }

  private:
    Bytes bytes_;
};

class OidArray {
  public:
    OidArray() = default;
    explicit OidArray(Bytes bytes) : bytes_(bytes) {}
    std::size_t size() const { return bytes_.size() / 4; }
    bool empty() const { return bytes_.empty(); }
    std::uint32_t operator[](std::size_t i) const { return load_u32(bytes_.data() + 4 * i); }
    Bytes bytes() const { return bytes_; }

  private:
    Bytes bytes_;
};

// Reads one Int32 length (-1 for NULL) and that many bytes.
bool read_value(WireReader& reader, WireValue& out);

class ValueList {
  public:
    class iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = WireValue;
        using difference_type = std::ptrdiff_t;
        using pointer = const WireValue*;
        using reference = WireValue;

        iterator() = default;
        explicit iterator(Bytes rest) : rest_(rest) { load(); }
        WireValue operator*() const { return current_; }
        iterator& operator++() {
            rest_ = rest_.subspan(std::min(rest_.size(), 4 + current_.bytes.size()));
            load();
            return *this;
        }
        friend bool operator==(const iterator& a, const iterator& b) {
            return a.rest_.size() == b.rest_.size();
        }

      private:
        void load() {
            WireReader reader(rest_);
            if (!read_value(reader, current_)) rest_ = {};
        }
        Bytes rest_;
        WireValue current_;
    };

    ValueList() = default;
    ValueList(std::size_t count, Bytes bytes) : count_(count), bytes_(bytes) {}
    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    iterator begin() const { return iterator(bytes_); }
    iterator end() const { return iterator(); }
    Bytes bytes() const { return bytes_; }

  private:
    std::size_t count_ = 0;
    Bytes bytes_;
};

// Each reads an Int16 count (PostgreSQL reads it unsigned, so up to 65535) and the elements,
// checking every bound. On failure the reader's position is unspecified.
bool read_format_codes(WireReader& reader, FormatCodes& out);
bool read_oids(WireReader& reader, OidArray& out);
bool read_values(WireReader& reader, ValueList& out);

}  // namespace pgfront::protocol
