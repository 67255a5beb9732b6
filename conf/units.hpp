// Parsing of the human units the YAML file uses: durations ("500ms", "2s", "5m") and sizes
// ("1MB", "64kB", "1GB"). Pure functions; errors are returned as text for the loader.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgfront::conf {

// "500ms", "2s", "1.5s", "5m", "1h", "250us" (rounded to milliseconds), or a bare integer
// of milliseconds. Returns nullopt with `error` set when the text is not a duration.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string& error);

// "1MB", "64kB", "1GB", "512B", or a bare integer of bytes. Units are powers of 1024 as in
// PostgreSQL's own settings (kB, MB, GB, TB); "KB"/"K" and "M"/"G" are accepted too.
std::optional<std::uint64_t> parse_size(std::string_view text, std::string& error);

std::string format_duration(std::chrono::milliseconds d);
std::string format_size(std::uint64_t bytes);

}  // namespace pgfront::conf
