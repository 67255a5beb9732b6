// Views of the authentication exchange: the server's Authentication requests ('R') and the
// client's 'p' answers (PasswordMessage, SASLInitialResponse, SASLResponse).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/bytes.hpp"
#include "protocol/wire_reader.hpp"

namespace pgfront::protocol {

// The Int32 that follows 'R' and says which request it is.
enum class AuthCode : std::int32_t {
    ok = 0,
    kerberos_v5 = 2,
    cleartext_password = 3,
    md5_password = 5,
    gss = 7,
    gss_continue = 8,
    sspi = 9,
    sasl = 10,
    sasl_continue = 11,
    sasl_final = 12,
};

struct AuthenticationRequest {
    AuthCode code = AuthCode::ok;
    // md5_password: the 4-byte salt. sasl: the mechanism names, each NUL-terminated, the
    // list terminator stripped. sasl_continue, sasl_final, gss_continue: the opaque data.
    // Every other request: empty.
    Bytes data;

    Bytes md5_salt() const { return code == AuthCode::md5_password ? data : Bytes{}; }
    CStringList sasl_mechanisms() const {
        return code == AuthCode::sasl ? CStringList(data) : CStringList();
    }
    // Unknown codes and wrong sizes (e.g. an MD5 request without exactly 4 salt bytes, a SASL
    // list without its terminator or with no mechanism) give nullopt.
    static std::optional<AuthenticationRequest> parse(Bytes payload);
};

// PasswordMessage: the password (cleartext, or "md5" + 32 hex digits) as one String.
struct PasswordMessage {
    std::string_view password;
    static std::optional<PasswordMessage> parse(Bytes payload);
};

// SASLInitialResponse: String mechanism, Int32 length (-1: no initial response), bytes.
struct SaslInitialResponse {
    std::string_view mechanism;
    std::optional<Bytes> initial_response;
    static std::optional<SaslInitialResponse> parse(Bytes payload);
};

// SASLResponse: the whole payload is mechanism data (for SCRAM, client-final-message).
struct SaslResponse {
    Bytes data;
    static std::optional<SaslResponse> parse(Bytes payload) { return SaslResponse{payload}; }
};

}  // namespace pgfront::protocol
