// SASL offers without channel binding (see channel_binding.hpp).
#include "tls/channel_binding.hpp"

#include <string_view>
#include <vector>

#include "protocol/authentication.hpp"
#include "protocol/message_writer.hpp"

namespace pgfront::tls {

std::optional<protocol::ByteBuffer> sasl_offer_without_channel_binding(protocol::Bytes payload) {
    const auto request = protocol::AuthenticationRequest::parse(payload);
    if (!request || request->code != protocol::AuthCode::sasl) return std::nullopt;
    std::vector<std::string_view> kept;
    bool dropped = false;
    for (const auto mechanism : request->sasl_mechanisms()) {
        if (mechanism.ends_with("-PLUS"))
            dropped = true;
        else
            kept.push_back(mechanism);
    }
    if (!dropped) return std::nullopt;
    protocol::ByteBuffer message;
    protocol::write_authentication_sasl(message, std::span<const std::string_view>(kept));
    return message;
}

}  // namespace pgfront::tls
