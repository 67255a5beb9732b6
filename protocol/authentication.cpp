// Parsing of Authentication requests and of the client's 'p' answers.
#include "protocol/authentication.hpp"

namespace pgfront::protocol {

std::optional<AuthenticationRequest> AuthenticationRequest::parse(Bytes payload) {
    WireReader reader(payload);
    std::int32_t code = 0;
    if (!reader.i32(code)) return std::nullopt;
    AuthenticationRequest r;
    r.code = static_cast<AuthCode>(code);
    switch (r.code) {
        case AuthCode::ok:
        case AuthCode::kerberos_v5:
        case AuthCode::cleartext_password:
        case AuthCode::gss:
        case AuthCode::sspi:
            if (!reader.at_end()) return std::nullopt;
            return r;
        case AuthCode::md5_password:
            if (!reader.bytes(4, r.data) || !reader.at_end()) return std::nullopt;
            return r;
        case AuthCode::gss_continue:
        case AuthCode::sasl_continue:
        case AuthCode::sasl_final:
            r.data = reader.rest();
            return r;
        case AuthCode::sasl: {
            const Bytes list = reader.rest();
            WireReader names(list);
            std::size_t count = 0;
            while (true) {
                std::string_view name;
                if (!names.cstring(name)) return std::nullopt;
                if (name.empty()) break;
                ++count;
            }
            if (!names.at_end() || count == 0) return std::nullopt;
            r.data = list.first(list.size() - 1);
            return r;
        }
    }
    return std::nullopt;
}

std::optional<PasswordMessage> PasswordMessage::parse(Bytes payload) {
    WireReader reader(payload);
    PasswordMessage m;
    if (!reader.cstring(m.password) || !reader.at_end()) return std::nullopt;
    return m;
}

std::optional<SaslInitialResponse> SaslInitialResponse::parse(Bytes payload) {
    WireReader reader(payload);
    SaslInitialResponse m;
    std::int32_t length = 0;
    if (!reader.cstring(m.mechanism) || !reader.i32(length)) return std::nullopt;
    if (length >= 0) {
        Bytes data;
        if (!reader.bytes(static_cast<std::size_t>(length), data)) return std::nullopt;
        m.initial_response = data;
    } else if (length != -1) {
        return std::nullopt;
    }
    if (!reader.at_end()) return std::nullopt;
    return m;
}

}  // namespace pgfront::protocol
