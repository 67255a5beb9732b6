// Parsing of ReadyForQuery, ParameterStatus, BackendKeyData and NotificationResponse.
#include "protocol/backend_status.hpp"

namespace pgfront::protocol {

std::optional<ReadyForQuery> ReadyForQuery::parse(Bytes payload) {
    if (payload.size() != 1) return std::nullopt;
    const auto status = static_cast<char>(std::to_integer<unsigned char>(payload[0]));
    switch (status) {
        case 'I':
        case 'T':
        case 'E':
            return ReadyForQuery{static_cast<TransactionStatus>(status)};
        default:
            return std::nullopt;
    }
}

std::optional<ParameterStatus> ParameterStatus::parse(Bytes payload) {
    WireReader reader(payload);
    ParameterStatus p;
    if (!reader.cstring(p.name) || !reader.cstring(p.value) || !reader.at_end()) {
        return std::nullopt;
    }
    return p;
}

std::optional<BackendKeyData> BackendKeyData::parse(Bytes payload) {
    WireReader reader(payload);
    BackendKeyData k;
    if (!reader.i32(k.process_id)) return std::nullopt;
    k.secret_key = reader.rest();
    if (k.secret_key.size() < 4 || k.secret_key.size() > 256) return std::nullopt;
    return k;
}

std::optional<NotificationResponse> NotificationResponse::parse(Bytes payload) {
    WireReader reader(payload);
    NotificationResponse n;
    if (!reader.i32(n.process_id) || !reader.cstring(n.channel) || !reader.cstring(n.payload) ||
        !reader.at_end()) {
        return std::nullopt;
    }
    return n;
}

}  // namespace pgfront::protocol
