// The type bytes of protocol v3 messages, named as in the PostgreSQL docs ("Message
// Formats"), and which of them each side may send in which phase of a connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pgfront::protocol {

enum class Sender : std::uint8_t { frontend, backend };

// Startup covers authentication up to the first ReadyForQuery; normal is everything after.
enum class ProtocolPhase : std::uint8_t { startup, normal };

namespace frontend {
inline constexpr char bind = 'B';
inline constexpr char close = 'C';
inline constexpr char copy_data = 'd';
inline constexpr char copy_done = 'c';
inline constexpr char copy_fail = 'f';
inline constexpr char describe = 'D';
inline constexpr char execute = 'E';
inline constexpr char flush = 'H';
inline constexpr char function_call = 'F';
inline constexpr char parse = 'P';
// PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share 'p'; which one
// it is depends on the authentication request it answers.
inline constexpr char password = 'p';
inline constexpr char query = 'Q';
inline constexpr char sync = 'S';
inline constexpr char terminate = 'X';
}  // namespace frontend

namespace backend {
inline constexpr char authentication = 'R';
inline constexpr char backend_key_data = 'K';
inline constexpr char bind_complete = '2';
inline constexpr char close_complete = '3';
inline constexpr char command_complete = 'C';
inline constexpr char copy_data = 'd';
inline constexpr char copy_done = 'c';
inline constexpr char copy_in_response = 'G';
inline constexpr char copy_out_response = 'H';
inline constexpr char copy_both_response = 'W';
inline constexpr char data_row = 'D';
inline constexpr char empty_query_response = 'I';
inline constexpr char error_response = 'E';
inline constexpr char function_call_response = 'V';
inline constexpr char negotiate_protocol_version = 'v';
inline constexpr char no_data = 'n';
inline constexpr char notice_response = 'N';
inline constexpr char notification_response = 'A';
inline constexpr char parameter_description = 't';
inline constexpr char parameter_status = 'S';
inline constexpr char parse_complete = '1';
inline constexpr char portal_suspended = 's';
inline constexpr char ready_for_query = 'Z';
inline constexpr char row_description = 'T';
}  // namespace backend

// A type byte the sender may use at all in protocol 3.0. Anything else is a protocol
// violation: the stream has lost message boundaries and must be closed.
bool is_known_type(Sender from, char type);

// Narrower: may this type appear in this phase? During startup a client only sends 'p' (and
// Terminate); a server only sends Authentication, NegotiateProtocolVersion, ParameterStatus,
// BackendKeyData, ErrorResponse, NoticeResponse and ReadyForQuery. In the normal phase the
// startup-only types are violations.
bool is_valid_type(Sender from, char type, ProtocolPhase phase);

// Messages whose payload is empty by definition (Sync, ParseComplete, CopyDone, ...).
bool has_empty_payload(Sender from, char type);

// Client messages that carry at most a name or a short text (Close, Describe, Execute, Flush,
// Sync, Terminate, CopyDone, CopyFail). PostgreSQL bounds their length word by
// PQ_SMALL_MESSAGE_LIMIT; a longer one is a lost stream, not a large message.
bool is_small_frontend_message(char type);
inline constexpr std::size_t small_message_limit = 10000;

// The docs' name of a message ("Parse", "ReadyForQuery"), or "unknown", for logs.
std::string_view message_name(Sender from, char type);

}  // namespace pgfront::protocol
