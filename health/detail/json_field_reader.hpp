// JsonFieldReader: typed, non-throwing reads of one JSON object's fields for the REST parsers.
// Internal to health/ (it exposes Boost.JSON); consumers include the parsers' headers instead.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgfront::health::detail {

// Reads fields of `object`; the first wrong type is remembered and later reads return
// defaults, so a parser reads everything and checks error() once. An absent field and a
// JSON null are the same thing: Patroni writes null for values PostgreSQL did not give it.
class JsonFieldReader {
  public:
    // `path` prefixes error messages, e.g. "xlog" gives "xlog.location: ...".
    JsonFieldReader(const boost::json::object& object, std::string path);

    std::string required_string(std::string_view key);
    std::string optional_string(std::string_view key);
    std::optional<std::uint64_t> optional_u64(std::string_view key);
    std::optional<std::uint16_t> optional_port(std::string_view key);
    bool optional_bool(std::string_view key);
    // Python's bool(value), which is how Patroni itself reads tags such as noloadbalance.
    bool python_truthy(std::string_view key);
    // nullptr when absent or null.
    const boost::json::object* optional_object(std::string_view key);
    const boost::json::array* required_array(std::string_view key);
    // Raw access for fields whose accepted types are the caller's business.
    const boost::json::value* find(std::string_view key) const;

    void fail(std::string_view key, std::string_view expected);
    const std::optional<std::string>& error() const { return error_; }

  private:
    const boost::json::object& object_;
    std::string path_;
    std::optional<std::string> error_;
};

// "invalid JSON at offset N: <reason>" or the document; bounded nesting depth.
// Returns nullopt and sets `error` on failure.
std::optional<boost::json::value> parse_json(std::string_view text, std::string& error);

}  // namespace pgfront::health::detail
