// Parsing of startup-phase packets and of NegotiateProtocolVersion.
#include "protocol/startup_messages.hpp"

namespace pgfront::protocol {

StartupKind classify_startup(std::uint32_t code) {
    switch (code) {
        case ssl_request_code:
            return StartupKind::ssl_request;
        case gssenc_request_code:
            return StartupKind::gssenc_request;
        case cancel_request_code:
            return StartupKind::cancel_request;
        default:
            return (code >> 16) == 3 ? StartupKind::startup_message : StartupKind::unsupported;
    }
}

std::optional<StartupMessage> StartupMessage::parse(Bytes payload) {
    WireReader reader(payload);
    StartupMessage m;
    if (!reader.u32(m.protocol_version) || m.major() != 3) return std::nullopt;
    const Bytes pairs_and_terminator = reader.rest();
    WireReader pairs(pairs_and_terminator);
    while (true) {
        std::string_view name;
        if (!pairs.cstring(name)) return std::nullopt;  // missing final NUL
        if (name.empty()) break;                        // the terminator
        std::string_view value;
        if (!pairs.cstring(value)) return std::nullopt;  // name without a value
    }
    if (!pairs.at_end()) return std::nullopt;  // bytes after the terminator
    m.parameter_bytes = pairs_and_terminator.first(pairs_and_terminator.size() - 1);
    return m;
}

std::optional<std::string_view> StartupMessage::find(std::string_view name) const {
    std::optional<std::string_view> found;
    for (const auto& p : parameters()) {
        if (p.name == name) found = p.value;
    }
    return found;
}

std::size_t StartupMessage::protocol_option_count() const {
    std::size_t n = 0;
    for (const auto& p : parameters()) {
        if (is_protocol_option(p.name)) ++n;
    }
    return n;
}

bool needs_protocol_negotiation(const StartupMessage& message, std::uint16_t supported_minor) {
    return message.minor() > supported_minor || message.protocol_option_count() > 0;
}

namespace {

bool is_bare_code(Bytes payload, std::uint32_t code) {
    return payload.size() == 4 && load_u32(payload.data()) == code;
}

}  // namespace

std::optional<SslRequest> SslRequest::parse(Bytes payload) {
    if (!is_bare_code(payload, ssl_request_code)) return std::nullopt;
    return SslRequest{};
}

std::optional<GssEncRequest> GssEncRequest::parse(Bytes payload) {
    if (!is_bare_code(payload, gssenc_request_code)) return std::nullopt;
    return GssEncRequest{};
}

std::optional<CancelRequest> CancelRequest::parse(Bytes payload) {
    WireReader reader(payload);
    std::uint32_t code = 0;
    CancelRequest c;
    if (!reader.u32(code) || code != cancel_request_code || !reader.i32(c.process_id)) {
        return std::nullopt;
    }
    c.secret_key = reader.rest();
    if (c.secret_key.size() < 4 || c.secret_key.size() > 256) return std::nullopt;
    return c;
}

std::optional<NegotiateProtocolVersion> NegotiateProtocolVersion::parse(Bytes payload) {
    WireReader reader(payload);
    NegotiateProtocolVersion n;
    std::int32_t count = 0;
    if (!reader.u32(n.newest_minor) || !reader.i32(count) || count < 0) return std::nullopt;
    const Bytes names = reader.rest();
    WireReader check(names);
    for (std::int32_t i = 0; i < count; ++i) {
        std::string_view name;
        if (!check.cstring(name)) return std::nullopt;
    }
    if (!check.at_end()) return std::nullopt;
    n.unrecognized_options = CStringList(names);
    return n;
}

}  // namespace pgfront::protocol
