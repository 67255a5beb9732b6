// ParseResult<T>: what the pure parsers of health/ return, a value or a readable error.
// Parsers never throw; malformed input from the network is an expected outcome.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace pgfront::health {

struct ParseError {
    std::string message;
};

template <class T>
class ParseResult {
  public:
    ParseResult(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
    ParseResult(ParseError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    // Precondition: ok().
    const T& value() const& { return std::get<0>(v_); }
    T& value() & { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }

    // Precondition: !ok().
    const std::string& error() const { return std::get<1>(v_).message; }

  private:
    std::variant<T, ParseError> v_;
};

}  // namespace pgfront::health
