// Typed field reads over Boost.JSON objects, errors as values.
#include "health/detail/json_field_reader.hpp"

#include <boost/json.hpp>
#include <limits>

namespace pgfront::health::detail {
namespace {

std::string_view kind_name(const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::null:
            return "null";
        case boost::json::kind::bool_:
            return "boolean";
        case boost::json::kind::int64:
        case boost::json::kind::uint64:
            return "integer";
        case boost::json::kind::double_:
            return "number";
        case boost::json::kind::string:
            return "string";
        case boost::json::kind::array:
            return "array";
        case boost::json::kind::object:
            return "object";
    }
    return "value";
}

std::optional<std::uint64_t> as_u64(const boost::json::value& v) {
    if (v.is_uint64()) return v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
    return std::nullopt;
}

}  // namespace

JsonFieldReader::JsonFieldReader(const boost::json::object& object, std::string path)
    : object_(object), path_(std::move(path)) {}

const boost::json::value* JsonFieldReader::find(std::string_view key) const {
    const auto* v = object_.if_contains(key);
    return (v == nullptr || v->is_null()) ? nullptr : v;
}

void JsonFieldReader::fail(std::string_view key, std::string_view expected) {
    if (error_) return;
    std::string message = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    const auto* v = object_.if_contains(key);
    if (v == nullptr) {
        message += ": missing, expected ";
        message += expected;
    } else {
        message += ": expected ";
        message += expected;
        message += ", got ";
        message += kind_name(*v);
    }
    error_ = std::move(message);
}

std::string JsonFieldReader::required_string(std::string_view key) {
    const auto* v = find(key);
    if (v == nullptr || !v->is_string()) {
        fail(key, "a string");
        return {};
    }
    return std::string(v->get_string());
}

std::string JsonFieldReader::optional_string(std::string_view key) {
    const auto* v = find(key);
    if (v == nullptr) return {};
    if (!v->is_string()) {
        fail(key, "a string");
        return {};
    }
    return std::string(v->get_string());
}

std::optional<std::uint64_t> JsonFieldReader::optional_u64(std::string_view key) {
    const auto* v = find(key);
    if (v == nullptr) return std::nullopt;
    auto n = as_u64(*v);
    if (!n) fail(key, "a non-negative integer");
    return n;
}

std::optional<std::uint16_t> JsonFieldReader::optional_port(std::string_view key) {
    auto n = optional_u64(key);
    if (!n) return std::nullopt;
    if (*n == 0 || *n > std::numeric_limits<std::uint16_t>::max()) {
        fail(key, "a port number (1-65535)");
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(*n);
}

bool JsonFieldReader::optional_bool(std::string_view key) {
    const auto* v = find(key);
    if (v == nullptr) return false;
    if (!v->is_bool()) {
        fail(key, "a boolean");
        return false;
    }
    return v->get_bool();
}

bool JsonFieldReader::python_truthy(std::string_view key) {
    const auto* v = find(key);
    if (v == nullptr) return false;
    switch (v->kind()) {
        case boost::json::kind::bool_:
            return v->get_bool();
        case boost::json::kind::int64:
            return v->get_int64() != 0;
        case boost::json::kind::uint64:
            return v->get_uint64() != 0;
        case boost::json::kind::double_:
            return v->get_double() != 0.0;
        case boost::json::kind::string:
            return !v->get_string().empty();
        case boost::json::kind::array:
            return !v->get_array().empty();
        case boost::json::kind::object:
            return !v->get_object().empty();
        case boost::json::kind::null:
            break;
    }
    return false;
}

const boost::json::object* JsonFieldReader::optional_object(std::string_view key) {
    const auto* v = find(key);
    if (v == nullptr) return nullptr;
    if (!v->is_object()) {
        fail(key, "an object");
        return nullptr;
    }
    return &v->get_object();
}

const boost::json::array* JsonFieldReader::required_array(std::string_view key) {
    const auto* v = find(key);
    if (v == nullptr || !v->is_array()) {
        fail(key, "an array");
        return nullptr;
    }
    return &v->get_array();
}

std::optional<boost::json::value> parse_json(std::string_view text, std::string& error) {
    boost::json::parse_options options;
    options.max_depth = 32;  // Patroni's documents nest three deep; bound the parser's stack.
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(text, ec, {}, options);
    if (ec) {
        error = "invalid JSON: " + ec.message();
        return std::nullopt;
    }
    return v;
}

}  // namespace pgfront::health::detail
