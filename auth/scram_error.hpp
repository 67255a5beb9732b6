// Why a SCRAM exchange failed, as a value, and the SQLSTATE the session reports for it.
// Server-side codes describe the client's messages; client-side codes the server's.
#pragma once

#include <string>
#include <string_view>

namespace pgfront::auth {

enum class ScramErrc {
    // pgfront authenticating a client (ScramServerExchange):
    malformed_message,            // 08P01 not RFC 5802 grammar, bad base64, wrong proof size
    channel_binding_unsupported,  // 08P01 gs2 flag 'p': we offered SCRAM-SHA-256 only
    channel_binding_mismatch,     // 08P01 c= is not the gs2 header of client-first-message
    nonce_mismatch,               // 08P01 r= in client-final is not client+server nonce
    unsupported_feature,          // 0A000 authzid (a=) or a mandatory extension (m=)
    invalid_proof,                // 28P01 wrong password (and every mock exchange)
    out_of_order,                 // 08P01 a message after the exchange finished or failed
    // pgfront logging in to a server (ScramClientExchange); the session reports a failed
    // server login, never these details with a client-facing SQLSTATE of the server's making:
    server_malformed_message,   // 08006 the server's message is not SCRAM
    server_nonce_mismatch,      // 08006 r= does not extend our nonce
    server_secret_mismatch,     // 08006 keys given, but the server's salt/iterations differ
    server_error,               // 08006 server-final-message e=<error>
    server_signature_mismatch,  // 08006 v= wrong: the server does not know the secret
};

struct ScramError {
    ScramErrc code = ScramErrc::malformed_message;
    std::string detail;  // for the server log; never contains keys, proofs or passwords
};

// "08P01", "0A000", "28P01" or "08006" as listed above.
std::string_view sqlstate(ScramErrc code);
std::string_view to_string(ScramErrc code);

}  // namespace pgfront::auth
