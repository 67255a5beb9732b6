// Loads pgfront.yaml into a frozen Config: every problem is reported with its key, line and
// column; unknown keys and bad values are errors, never silently replaced by defaults.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "conf/config.hpp"

namespace pgfront::conf {

struct ConfigError {
    std::string key;  // dotted path, e.g. "health.fall" or "cluster.nodes[1].api"
    int line = 0;     // 1-based; 0 when the problem has no single place in the file
    int column = 0;
    std::string message;
};

struct LoadResult {
    std::shared_ptr<const Config> config;  // null when errors is not empty
    std::vector<ConfigError> errors;
    std::string text_hash;  // hex digest of the file's text, for status and reload reports

    bool ok() const { return config != nullptr; }
};

LoadResult load_config_text(std::string_view yaml_text);
LoadResult load_config_file(const std::string& path);

// "FILE:LINE:COL: KEY: MESSAGE", the form editors and CI logs can jump to.
std::string describe(const ConfigError& error, std::string_view source);

}  // namespace pgfront::conf
