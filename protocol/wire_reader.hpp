// Bounds-checked reading of the wire's primitive fields (big-endian integers, NUL-terminated
// strings, byte runs) from a span, plus a range over a run of NUL-terminated strings.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string_view>

#include "protocol/bytes.hpp"

namespace pgfront::protocol {

inline std::uint16_t load_u16(const std::byte* p) {
    return static_cast<std::uint16_t>((std::to_integer<unsigned>(p[0]) << 8) |
                                      std::to_integer<unsigned>(p[1]));
}

inline std::uint32_t load_u32(const std::byte* p) {
    return (std::to_integer<std::uint32_t>(p[0]) << 24) |
           (std::to_integer<std::uint32_t>(p[1]) << 16) |
           (std::to_integer<std::uint32_t>(p[2]) << 8) | std::to_integer<std::uint32_t>(p[3]);
}

// Every read either fills its output and advances, or returns false and leaves the reader
// where it was. Nothing is ever read past the end of the span.
class WireReader {
  public:
    explicit WireReader(Bytes bytes) : bytes_(bytes) {}

    std::size_t remaining() const { return bytes_.size() - pos_; }
    bool at_end() const { return pos_ == bytes_.size(); }

    bool u8(std::uint8_t& out) {
        if (remaining() < 1) return false;
        out = std::to_integer<std::uint8_t>(bytes_[pos_]);
        pos_ += 1;
        return true;
    }
    bool i16(std::int16_t& out) {
        if (remaining() < 2) return false;
        out = static_cast<std::int16_t>(load_u16(bytes_.data() + pos_));
        pos_ += 2;
        return true;
    }
    bool u32(std::uint32_t& out) {
        if (remaining() < 4) return false;
        out = load_u32(bytes_.data() + pos_);
        pos_ += 4;
        return true;
    }
    bool i32(std::int32_t& out) {
        std::uint32_t raw = 0;
        if (!u32(raw)) return false;
        out = static_cast<std::int32_t>(raw);
        return true;
    }
    // A String field: text up to the next NUL; the NUL is consumed but not returned.
    bool cstring(std::string_view& out) {
        if (remaining() == 0) return false;
        const auto* start = bytes_.data() + pos_;
        const auto* nul = static_cast<const std::byte*>(std::memchr(start, 0, remaining()));
        if (nul == nullptr) return false;
        out = {reinterpret_cast<const char*>(start), static_cast<std::size_t>(nul - start)};
        pos_ += out.size() + 1;
        return true;
    }
    bool bytes(std::size_t count, Bytes& out) {
        if (remaining() < count) return false;
        out = bytes_.subspan(pos_, count);
        pos_ += count;
        return true;
    }
    // Takes everything that is left.
    Bytes rest() {
        auto out = bytes_.subspan(pos_);
        pos_ = bytes_.size();
        return out;
    }

  private:
    Bytes bytes_;
    std::size_t pos_ = 0;
};

// A run of NUL-terminated strings, each terminated, with no list terminator inside the span
// (views strip it while validating). Iteration yields the strings without their NULs.
class CStringList {
  public:
    class iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = std::string_view;
        using difference_type = std::ptrdiff_t;
        using pointer = const std::string_view*;
        using reference = std::string_view;

        iterator() = default;
        explicit iterator(Bytes rest) : rest_(rest) { load(); }
        std::string_view operator*() const { return current_; }
        iterator& operator++() {
            rest_ = rest_.subspan(std::min(rest_.size(), current_.size() + 1));
            load();
            return *this;
        }
        iterator operator++(int) {
            auto old = *this;
            ++*this;
            return old;
        }
        friend bool operator==(const iterator& a, const iterator& b) {
            return a.rest_.size() == b.rest_.size();
        }

      private:
        void load() {
            WireReader reader(rest_);
            if (!reader.cstring(current_)) {  // unterminated tail: treated as the end
                current_ = {};
                rest_ = {};
            }
        }
        Bytes rest_;
        std::string_view current_;
    };

    CStringList() = default;
    explicit CStringList(Bytes bytes) : bytes_(bytes) {}
    iterator begin() const { return iterator(bytes_); }
    iterator end() const { return iterator(); }
    bool empty() const { return bytes_.empty(); }
    std::size_t size() const {
        std::size_t n = 0;
        for (auto it = begin(); it != end(); ++it) ++n;
        return n;
    }
    Bytes bytes() const { return bytes_; }

  private:
    Bytes bytes_;
};

}  // namespace pgfront::protocol
