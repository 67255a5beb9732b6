// choose_client_method: the table in client_method.hpp.
#include "auth/client_method.hpp"

namespace pgfront::auth {

std::string_view to_string(ClientMethod method) {
    switch (method) {
        case ClientMethod::trust:
            return "trust";
        case ClientMethod::reject:
            return "reject";
        case ClientMethod::cleartext_password:
            return "password";
        case ClientMethod::md5:
            return "md5";
        case ClientMethod::scram_sha_256:
            return "scram-sha-256";
    }
    return "reject";
}

MethodChoice choose_client_method(HbaMethod hba_method, std::optional<PasswordKind> stored) {
    constexpr std::string_view kUnknownUser = "user has no password (unknown user)";
    switch (hba_method) {
        case HbaMethod::trust:
            return {ClientMethod::trust, false, {}};
        case HbaMethod::reject:
            return {ClientMethod::reject, false, {}};
        case HbaMethod::password:
            if (!stored) return {ClientMethod::cleartext_password, true, kUnknownUser};
            return {ClientMethod::cleartext_password, false, {}};
        case HbaMethod::md5:
            if (!stored) return {ClientMethod::scram_sha_256, true, kUnknownUser};
            if (*stored == PasswordKind::scram_sha_256)
                return {ClientMethod::scram_sha_256, false, {}};
            return {ClientMethod::md5, false, {}};
        case HbaMethod::scram_sha_256:
            if (!stored) return {ClientMethod::scram_sha_256, true, kUnknownUser};
            if (*stored == PasswordKind::md5) {
                return {ClientMethod::scram_sha_256, true,
                        "user does not have a valid SCRAM secret (only an md5 hash is stored)"};
            }
            return {ClientMethod::scram_sha_256, false, {}};
    }
    return {ClientMethod::reject, false, {}};
}

}  // namespace pgfront::auth
