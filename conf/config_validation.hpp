// Cross-field checks on a loaded Config: pure, so each rule is unit-tested on plain structs.
#pragma once

#include <string>
#include <vector>

#include "conf/config.hpp"

namespace pgfront::conf {

struct ValidationProblem {
    std::string key;  // dotted path of the setting the problem is best reported at
    std::string message;
};

std::vector<ValidationProblem> validate(const Config& config);

bool is_loopback_host(const std::string& host);

}  // namespace pgfront::conf
