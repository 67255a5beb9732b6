// The grammar of SCRAM's four messages (RFC 5802 §7), parsed into views of the input plus the
// decoded base64 parts. Only syntax lives here; what to accept (channel binding, nonces,
// extensions) is the exchanges' decision.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/result.hpp"

namespace pgfront::auth {

// gs2-cbind-flag
enum class ChannelBindingFlag : char {
    not_supported = 'n',  // client does not support channel binding
    not_offered = 'y',    // client supports it but thinks the server does not
    required = 'p',       // client requires it: "p=<cb-name>"
};

// gs2-header client-first-message-bare. Views point into the parsed text.
struct ClientFirstMessage {
    ChannelBindingFlag channel_binding = ChannelBindingFlag::not_supported;
    std::string_view channel_binding_name;  // cb-name after "p=", else empty
    bool has_authzid = false;
    std::string_view authzid;              // "a=" saslname, escapes not decoded
    std::string_view gs2_header;           // through its second ',', e.g. "n,,"
    std::string_view bare;                 // client-first-message-bare, part of AuthMessage
    bool has_mandatory_extension = false;  // reserved-mext "m=..."
    std::string_view username;             // "n=" saslname, escapes not decoded; may be empty
    std::string_view nonce;                // "r=" printable, non-empty
};

// "c=" base64, "r=" nonce, extensions, "p=" base64 last.
struct ClientFinalMessage {
    std::vector<std::uint8_t> channel_binding;  // decoded c=
    std::string_view channel_binding_text;      // c= as sent
    std::string_view nonce;
    std::string_view without_proof;   // client-final-message-without-proof, part of AuthMessage
    std::vector<std::uint8_t> proof;  // decoded p=, any length (the exchange checks 32)
};

// [reserved-mext ","] "r=" nonce "," "s=" salt "," "i=" iteration-count ["," extensions]
struct ServerFirstMessage {
    bool has_mandatory_extension = false;
    std::string_view nonce;
    std::vector<std::uint8_t> salt;  // decoded, non-empty
    int iterations = 0;              // posit-number that fits an int
};

// ("e=" server-error-value / "v=" base64) ["," extensions]
struct ServerFinalMessage {
    bool is_error = false;
    std::string_view error;              // e= value
    std::vector<std::uint8_t> verifier;  // decoded v=
};

// Errors are a short description of what is wrong, for the server log.
Result<ClientFirstMessage, std::string> parse_client_first_message(std::string_view text);
Result<ClientFinalMessage, std::string> parse_client_final_message(std::string_view text);
Result<ServerFirstMessage, std::string> parse_server_first_message(std::string_view text);
Result<ServerFinalMessage, std::string> parse_server_final_message(std::string_view text);

// printable = %x21-2B / %x2D-7E: what a nonce is made of.
bool is_scram_printable(std::string_view text);

}  // namespace pgfront::auth
