// Duration and size parsing for the YAML config (see units.hpp).
#include "conf/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace pgfront::conf {
namespace {

// Splits "1.5s" into a number and its unit suffix; rejects empty numbers and signs.
bool split_number(std::string_view text, double& number, std::string_view& unit) {
    std::size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == 0) return false;
    const auto digits = text.substr(0, i);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (ec != std::errc{} || ptr != digits.data() + digits.size()) return false;
    unit = text.substr(i);
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    return std::isfinite(number);
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string& error) {
    double number = 0;
    std::string_view unit;
    if (!split_number(text, number, unit)) {
        error = "expected a duration like 500ms, 2s or 5m, got '" + std::string(text) + "'";
        return std::nullopt;
    }
    double ms = 0;
    if (unit.empty() || unit == "ms") ms = number;
    else if (unit == "us") ms = number / 1000.0;
    else if (unit == "s") ms = number * 1000.0;
    else if (unit == "m" || unit == "min") ms = number * 60'000.0;
    else if (unit == "h") ms = number * 3'600'000.0;
    else if (unit == "d") ms = number * 86'400'000.0;
    else {
        error = "unknown duration unit '" + std::string(unit) + "' (use us, ms, s, m, h or d)";
        return std::nullopt;
    }
    if (ms > static_cast<double>(std::numeric_limits<std::int32_t>::max()) * 1000.0) {
        error = "duration '" + std::string(text) + "' is too long";
        return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

std::optional<std::uint64_t> parse_size(std::string_view text, std::string& error) {
    double number = 0;
    std::string_view unit;
    if (!split_number(text, number, unit)) {
        error = "expected a size like 1MB, 64kB or 1024, got '" + std::string(text) + "'";
        return std::nullopt;
    }
    double factor = 0;
    if (unit.empty() || unit == "B") factor = 1;
    else if (unit == "kB" || unit == "KB" || unit == "K" || unit == "k") factor = 1024.0;
    else if (unit == "MB" || unit == "M") factor = 1024.0 * 1024;
    else if (unit == "GB" || unit == "G") factor = 1024.0 * 1024 * 1024;
    else if (unit == "TB" || unit == "T") factor = 1024.0 * 1024 * 1024 * 1024;
    else {
        error = "unknown size unit '" + std::string(unit) + "' (use B, kB, MB, GB or TB)";
        return std::nullopt;
    }
    const double bytes = number * factor;
    if (bytes > 9.0e18) {
        error = "size '" + std::string(text) + "' is too large";
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(std::llround(bytes));
}

std::string format_duration(std::chrono::milliseconds d) {
    const auto ms = d.count();
    if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::string format_size(std::uint64_t bytes) {
    constexpr std::uint64_t k = 1024;
    if (bytes != 0 && bytes % (k * k * k) == 0) return std::to_string(bytes / (k * k * k)) + "GB";
    if (bytes != 0 && bytes % (k * k) == 0) return std::to_string(bytes / (k * k)) + "MB";
    if (bytes != 0 && bytes % k == 0) return std::to_string(bytes / k) + "kB";
    return std::to_string(bytes) + "B";
}

}  // namespace pgfront::conf
