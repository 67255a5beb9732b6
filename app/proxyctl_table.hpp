// proxyctl's plain-text output: aligned tables and short human spellings of times and sizes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pgfront::proxyctl {

using Row = std::vector<std::string>;

// Left-aligned columns two spaces apart, a header line first, no trailing blanks.
std::string render_table(const Row& headers, const std::vector<Row>& rows);

// "0s", "45s", "3m04s", "2h05m", "3d04h": elapsed times at a glance.
std::string human_seconds(double seconds);

// "512B", "1.5kB", "20MB", "3.2GB": powers of 1024, as in the configuration.
std::string human_bytes(std::uint64_t bytes);

}  // namespace pgfront::proxyctl
