// Tables and human spellings for proxyctl (see proxyctl_table.hpp).
#include "app/proxyctl_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pgfront::proxyctl {

std::string render_table(const Row& headers, const std::vector<Row>& rows) {
    std::vector<std::size_t> widths(headers.size());
    for (std::size_t i = 0; i < headers.size(); ++i) widths[i] = headers[i].size();
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    std::string out;
    auto line = [&](const Row& cells) {
        std::string text;
        for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
            text += cells[i];
            if (i + 1 < cells.size()) text.append(widths[i] + 2 - cells[i].size(), ' ');
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out += text + "\n";
    };
    line(headers);
    for (const auto& row : rows) line(row);
    return out;
}

std::string human_seconds(double seconds) {
    if (!(seconds >= 0)) seconds = 0;  // also NaN
    const auto total = static_cast<std::uint64_t>(seconds);
    char text[32];
    if (total < 60) {
        std::snprintf(text, sizeof text, "%llus", static_cast<unsigned long long>(total));
    } else if (total < 3600) {
        std::snprintf(text, sizeof text, "%llum%02llus", static_cast<unsigned long long>(total / 60),
                      static_cast<unsigned long long>(total % 60));
    } else if (total < 86400) {
        std::snprintf(text, sizeof text, "%lluh%02llum", static_cast<unsigned long long>(total / 3600),
                      static_cast<unsigned long long>(total / 60 % 60));
    } else {
        std::snprintf(text, sizeof text, "%llud%02lluh", static_cast<unsigned long long>(total / 86400),
                      static_cast<unsigned long long>(total / 3600 % 24));
    }
    return text;
}

std::string human_bytes(std::uint64_t bytes) {
    constexpr const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    if (unit == 0 || value >= 10) std::snprintf(text, sizeof text, "%.0f%s", std::floor(value), units[unit]);
    else std::snprintf(text, sizeof text, "%.1f%s", std::floor(value * 10) / 10, units[unit]);
    return text;
}

}  // namespace pgfront::proxyctl
