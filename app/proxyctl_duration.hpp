// proxyctl's durations on the command line ("500ms", "30s", "5m", "1h", "1m30s") and back.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pgfront::proxyctl {

// Parts of a whole number and a unit (ms, s, m, h), summed: "1m30s" is 90 s. "0" alone is
// zero. nullopt for anything else: no unit, unknown unit, a sign, a fraction, over 10 years.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest exact spelling parse_duration reads back: "5m", "1m30s", "1500ms", "0s".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace pgfront::proxyctl
