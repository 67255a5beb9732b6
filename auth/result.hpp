// Result<T, E>: a value or an expected error, what auth's parsers and exchanges return.
// Errors are values here; the session maps them to an ErrorResponse once, at the edge.
#pragma once

#include <utility>
#include <variant>

namespace pgfront::auth {

template <class T, class E>
class Result {
  public:
    Result(T value)
        : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
    Result(E error)
        : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    // Precondition: ok().
    const T& value() const& { return std::get<0>(v_); }
    T& value() & { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const T* operator->() const { return &std::get<0>(v_); }
    const T& operator*() const& { return std::get<0>(v_); }

    // Precondition: !ok().
    const E& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, E> v_;
};

}  // namespace pgfront::auth
