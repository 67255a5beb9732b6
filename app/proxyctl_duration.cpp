// Durations for proxyctl's --timeout (see proxyctl_duration.hpp).
#include "app/proxyctl_duration.hpp"

#include <cstdint>

namespace pgfront::proxyctl {

namespace {
// Far beyond any sensible timeout, far below where milliseconds overflow.
constexpr std::int64_t max_milliseconds = 10LL * 366 * 24 * 3600 * 1000;
constexpr std::size_t max_digits = 12;

std::optional<std::int64_t> unit_milliseconds(std::string_view unit) {
    if (unit == "ms") return 1;
    if (unit == "s") return 1000;
    if (unit == "m") return 60 * 1000;
    if (unit == "h") return 3600 * 1000;
    return std::nullopt;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    if (text == "0") return std::chrono::milliseconds(0);
    if (text.empty()) return std::nullopt;
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto digits_start = i;
        while (i < text.size() && is_digit(text[i])) ++i;
        const auto digits = text.substr(digits_start, i - digits_start);
        if (digits.empty() || digits.size() > max_digits) return std::nullopt;
        const auto unit_start = i;
        while (i < text.size() && !is_digit(text[i])) ++i;
        const auto factor = unit_milliseconds(text.substr(unit_start, i - unit_start));
        if (!factor) return std::nullopt;
        std::int64_t number = 0;
        for (char c : digits) number = number * 10 + (c - '0');
        // number < 10^12 and factor <= 3.6e6, so the product fits; the sum is checked.
        if (number > max_milliseconds / *factor) return std::nullopt;
        total += number * *factor;
        if (total > max_milliseconds) return std::nullopt;
    }
    return std::chrono::milliseconds(total);
}

std::string format_duration(std::chrono::milliseconds duration) {
    auto ms = duration.count();
    if (ms == 0) return "0s";
    std::string text;
    if (ms < 0) {
        text = "-";
        ms = -ms;
    }
    if (ms % 1000 != 0) return text + std::to_string(ms) + "ms";
    auto seconds = ms / 1000;
    const auto hours = seconds / 3600;
    const auto minutes = seconds / 60 % 60;
    seconds %= 60;
    if (hours) text += std::to_string(hours) + "h";
    if (minutes) text += std::to_string(minutes) + "m";
    if (seconds) text += std::to_string(seconds) + "s";
    return text;
}

}  // namespace pgfront::proxyctl
