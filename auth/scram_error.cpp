// SQLSTATEs and names of ScramErrc.
#include "auth/scram_error.hpp"

namespace pgfront::auth {

std::string_view sqlstate(ScramErrc code) {
    switch (code) {
        case ScramErrc::invalid_proof:
            return "28P01";  // invalid_password
        case ScramErrc::unsupported_feature:
            return "0A000";  // feature_not_supported
        case ScramErrc::malformed_message:
        case ScramErrc::channel_binding_unsupported:
        case ScramErrc::channel_binding_mismatch:
        case ScramErrc::nonce_mismatch:
        case ScramErrc::out_of_order:
            return "08P01";  // protocol_violation
        case ScramErrc::server_malformed_message:
        case ScramErrc::server_nonce_mismatch:
        case ScramErrc::server_secret_mismatch:
        case ScramErrc::server_error:
        case ScramErrc::server_signature_mismatch:
            return "08006";  // connection_failure
    }
    return "08P01";
}

std::string_view to_string(ScramErrc code) {
    switch (code) {
        case ScramErrc::malformed_message:
            return "malformed_message";
        case ScramErrc::channel_binding_unsupported:
            return "channel_binding_unsupported";
        case ScramErrc::channel_binding_mismatch:
            return "channel_binding_mismatch";
        case ScramErrc::nonce_mismatch:
            return "nonce_mismatch";
        case ScramErrc::unsupported_feature:
            return "unsupported_feature";
        case ScramErrc::invalid_proof:
            return "invalid_proof";
        case ScramErrc::out_of_order:
            return "out_of_order";
        case ScramErrc::server_malformed_message:
            return "server_malformed_message";
        case ScramErrc::server_nonce_mismatch:
            return "server_nonce_mismatch";
        case ScramErrc::server_secret_mismatch:
            return "server_secret_mismatch";
        case ScramErrc::server_error:
            return "server_error";
        case ScramErrc::server_signature_mismatch:
            return "server_signature_mismatch";
    }
    return "unknown";
}

}  // namespace pgfront::auth
