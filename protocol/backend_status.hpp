// Views of the server's session-status messages: ReadyForQuery, ParameterStatus,
// BackendKeyData and NotificationResponse.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/bytes.hpp"
#include "protocol/wire_reader.hpp"

namespace pgfront::protocol {

// The transaction status byte of ReadyForQuery.
enum class TransactionStatus : char { idle = 'I', in_transaction = 'T', failed = 'E' };

struct ReadyForQuery {
    TransactionStatus status = TransactionStatus::idle;
    static std::optional<ReadyForQuery> parse(Bytes payload);  // exactly one of I, T, E
};

// Whether `data` ends with a whole ReadyForQuery, the last message of every reply. Only the
// last six bytes are looked at, so the end of a longer message may look alike: a hint for a
// reader that does not follow message boundaries (net/draining_buffer.hpp), not a parse.
inline bool ends_with_ready_for_query(Bytes data) {
    if (data.size() < 6) return false;
    const auto tail = data.last(6);
    const auto status = static_cast<char>(tail[5]);
    return static_cast<char>(tail[0]) == 'Z' && load_u32(tail.data() + 1) == 5 &&
           (status == 'I' || status == 'T' || status == 'E');
}

struct ParameterStatus {
    std::string_view name;
    std::string_view value;
    static std::optional<ParameterStatus> parse(Bytes payload);
};

// BackendKeyData: Int32 process ID, then the secret key (4 bytes in protocol 3.0, up to 256
// in 3.2).
struct BackendKeyData {
    std::int32_t process_id = 0;
    Bytes secret_key;

    std::optional<std::uint32_t> secret_key_u32() const {
        if (secret_key.size() != 4) return std::nullopt;
        return load_u32(secret_key.data());
    }
    static std::optional<BackendKeyData> parse(Bytes payload);
};

// NotificationResponse ('A'): LISTEN/NOTIFY delivery, sent at any time.
struct NotificationResponse {
    std::int32_t process_id = 0;
    std::string_view channel;
    std::string_view payload;
    static std::optional<NotificationResponse> parse(Bytes payload);
};

}  // namespace pgfront::protocol
