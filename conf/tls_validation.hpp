// Cross-field rules of the tls: section (which files each mode needs). Pure.
#pragma once

#include <vector>

#include "conf/config_validation.hpp"
#include "conf/tls_config.hpp"

namespace pgfront::conf {

void validate_tls(const TlsConfig& tls, std::vector<ValidationProblem>& problems);

}  // namespace pgfront::conf
