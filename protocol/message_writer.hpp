// Writers for every message pgfront sends, to clients (as a server) and to servers (as a
// client). Each appends one complete message to a caller-owned buffer.
//
// Array counts are Int16 on the wire: callers keep lists (parameters, columns, format codes)
// at or below 65535 entries, as libpq and PostgreSQL do.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

#include "protocol/backend_status.hpp"
#include "protocol/bytes.hpp"
#include "protocol/error_fields.hpp"
#include "protocol/extended_query.hpp"
#include "protocol/simple_query.hpp"
#include "protocol/startup_messages.hpp"
#include "protocol/value_list.hpp"

namespace pgfront::protocol {

// --- to a client -------------------------------------------------------------------------

// Fields S and V (severity), C, M, then D and H when not empty.
void write_error_response(ByteBuffer& out, const ErrorReport& report);
void write_notice_response(ByteBuffer& out, const ErrorReport& report);

void write_authentication_ok(ByteBuffer& out);
void write_authentication_cleartext_password(ByteBuffer& out);
void write_authentication_md5_password(ByteBuffer& out, std::span<const std::byte, 4> salt);
void write_authentication_sasl(ByteBuffer& out, std::span<const std::string_view> mechanisms);
void write_authentication_sasl(ByteBuffer& out, std::initializer_list<std::string_view> mechanisms);
void write_authentication_sasl_continue(ByteBuffer& out, Bytes data);
void write_authentication_sasl_final(ByteBuffer& out, Bytes data);

void write_parameter_status(ByteBuffer& out, std::string_view name, std::string_view value);
void write_backend_key_data(ByteBuffer& out, std::int32_t process_id, std::uint32_t secret_key);
void write_ready_for_query(ByteBuffer& out, TransactionStatus status);

void write_negotiate_protocol_version(ByteBuffer& out, std::uint32_t newest_minor,
                                      std::span<const std::string_view> unrecognized_options);
// The answer to `requested` when needs_protocol_negotiation() holds: our newest minor and
// every "_pq_." option the client sent (pgfront recognizes none).
void write_negotiate_protocol_version(ByteBuffer& out, const StartupMessage& requested,
                                      std::uint16_t supported_minor = 0);

// The single unframed byte answering SSLRequest ('S' go ahead with TLS, 'N' no) and
// GSSENCRequest ('G' or 'N').
void write_ssl_response(ByteBuffer& out, bool accept);
void write_gssenc_response(ByteBuffer& out, bool accept);

// Result sets pgfront produces itself (the admin console's SHOW commands).
void write_row_description(ByteBuffer& out, std::span<const ColumnDescription> columns);
void write_data_row(ByteBuffer& out, std::span<const WireValue> columns);
void write_command_complete(ByteBuffer& out, std::string_view tag);
void write_empty_query_response(ByteBuffer& out);
void write_parse_complete(ByteBuffer& out);
void write_bind_complete(ByteBuffer& out);
void write_close_complete(ByteBuffer& out);
void write_no_data(ByteBuffer& out);

// --- to a server -------------------------------------------------------------------------

void write_startup_message(ByteBuffer& out, std::span<const StartupParameter> parameters,
                           std::uint32_t protocol_version = protocol_version_3_0);
void write_startup_message(ByteBuffer& out, std::initializer_list<StartupParameter> parameters,
                           std::uint32_t protocol_version = protocol_version_3_0);
void write_ssl_request(ByteBuffer& out);
void write_cancel_request(ByteBuffer& out, std::int32_t process_id, std::uint32_t secret_key);
void write_cancel_request(ByteBuffer& out, std::int32_t process_id, Bytes secret_key);

void write_password_message(ByteBuffer& out, std::string_view password);
// nullopt sends length -1 (no initial response); an empty span sends length 0.
void write_sasl_initial_response(ByteBuffer& out, std::string_view mechanism,
                                 std::optional<Bytes> initial_response);
void write_sasl_response(ByteBuffer& out, Bytes data);

void write_query(ByteBuffer& out, std::string_view sql);
void write_parse(ByteBuffer& out, std::string_view statement, std::string_view query,
                 std::span<const std::uint32_t> parameter_types = {});
void write_bind(ByteBuffer& out, std::string_view portal, std::string_view statement,
                std::span<const std::int16_t> parameter_formats,
                std::span<const WireValue> parameters,
                std::span<const std::int16_t> result_formats);
void write_describe(ByteBuffer& out, TargetKind kind, std::string_view name);
void write_execute(ByteBuffer& out, std::string_view portal, std::int32_t max_rows = 0);
void write_close(ByteBuffer& out, TargetKind kind, std::string_view name);
void write_sync(ByteBuffer& out);
void write_flush(ByteBuffer& out);
void write_terminate(ByteBuffer& out);

// --- both directions ---------------------------------------------------------------------

void write_copy_data(ByteBuffer& out, Bytes data);
void write_copy_done(ByteBuffer& out);
void write_copy_fail(ByteBuffer& out, std::string_view message);  // client only

}  // namespace pgfront::protocol
