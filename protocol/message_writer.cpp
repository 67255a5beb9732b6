// Encodings of every message pgfront writes, built on MessageBuilder.
#include "protocol/message_writer.hpp"

#include "protocol/authentication.hpp"
#include "protocol/message_builder.hpp"
#include "protocol/message_type.hpp"

namespace pgfront::protocol {
namespace {

void write_empty(ByteBuffer& out, char type) {
    MessageBuilder(out, type).finish();
}

void write_error_fields(ByteBuffer& out, char type, const ErrorReport& report) {
    MessageBuilder m(out, type);
    const auto severity = severity_text(report.severity);
    m.u8(error_field::severity).cstring(severity);
    m.u8(error_field::severity_nonlocalized).cstring(severity);
    m.u8(error_field::sqlstate).cstring(report.sqlstate);
    m.u8(error_field::message).cstring(report.message);
    if (!report.detail.empty()) m.u8(error_field::detail).cstring(report.detail);
    if (!report.hint.empty()) m.u8(error_field::hint).cstring(report.hint);
    m.u8(0).finish();
}

void write_authentication(ByteBuffer& out, AuthCode code, Bytes data = {}) {
    MessageBuilder(out, backend::authentication)
        .i32(static_cast<std::int32_t>(code))
        .bytes(data)
        .finish();
}

void write_target(ByteBuffer& out, char type, TargetKind kind, std::string_view name) {
    MessageBuilder(out, type).u8(static_cast<std::uint8_t>(kind)).cstring(name).finish();
}

void put_value(MessageBuilder& m, const WireValue& value) {
    if (value.is_null) {
        m.i32(-1);
    } else {
        m.i32(static_cast<std::int32_t>(value.bytes.size())).bytes(value.bytes);
    }
}

void put_format_codes(MessageBuilder& m, std::span<const std::int16_t> codes) {
    m.i16(static_cast<std::int16_t>(codes.size()));
    for (const auto code : codes) m.i16(code);
}

}  // namespace

void write_error_response(ByteBuffer& out, const ErrorReport& report) {
    write_error_fields(out, backend::error_response, report);
}

void write_notice_response(ByteBuffer& out, const ErrorReport& report) {
    write_error_fields(out, backend::notice_response, report);
}

void write_authentication_ok(ByteBuffer& out) {
    write_authentication(out, AuthCode::ok);
}

void write_authentication_cleartext_password(ByteBuffer& out) {
    write_authentication(out, AuthCode::cleartext_password);
}

void write_authentication_md5_password(ByteBuffer& out, std::span<const std::byte, 4> salt) {
    write_authentication(out, AuthCode::md5_password, salt);
}

void write_authentication_sasl(ByteBuffer& out, std::span<const std::string_view> mechanisms) {
    MessageBuilder m(out, backend::authentication);
    m.i32(static_cast<std::int32_t>(AuthCode::sasl));
    for (const auto mechanism : mechanisms) m.cstring(mechanism);
    m.u8(0).finish();
}

void write_authentication_sasl(ByteBuffer& out,
                               std::initializer_list<std::string_view> mechanisms) {
    write_authentication_sasl(out, std::span(mechanisms.begin(), mechanisms.size()));
}

void write_authentication_sasl_continue(ByteBuffer& out, Bytes data) {
    write_authentication(out, AuthCode::sasl_continue, data);
}

void write_authentication_sasl_final(ByteBuffer& out, Bytes data) {
    write_authentication(out, AuthCode::sasl_final, data);
}

void write_parameter_status(ByteBuffer& out, std::string_view name, std::string_view value) {
    MessageBuilder(out, backend::parameter_status).cstring(name).cstring(value).finish();
}

void write_backend_key_data(ByteBuffer& out, std::int32_t process_id, std::uint32_t secret_key) {
    MessageBuilder(out, backend::backend_key_data).i32(process_id).u32(secret_key).finish();
}

void write_ready_for_query(ByteBuffer& out, TransactionStatus status) {
    MessageBuilder(out, backend::ready_for_query).u8(static_cast<std::uint8_t>(status)).finish();
}

void write_negotiate_protocol_version(ByteBuffer& out, std::uint32_t newest_minor,
                                      std::span<const std::string_view> unrecognized_options) {
    MessageBuilder m(out, backend::negotiate_protocol_version);
    m.u32(newest_minor).i32(static_cast<std::int32_t>(unrecognized_options.size()));
    for (const auto option : unrecognized_options) m.cstring(option);
    m.finish();
}

void write_negotiate_protocol_version(ByteBuffer& out, const StartupMessage& requested,
                                      std::uint16_t supported_minor) {
    MessageBuilder m(out, backend::negotiate_protocol_version);
    m.u32(supported_minor).i32(static_cast<std::int32_t>(requested.protocol_option_count()));
    for (const auto& p : requested.parameters()) {
        if (is_protocol_option(p.name)) m.cstring(p.name);
    }
    m.finish();
}

void write_ssl_response(ByteBuffer& out, bool accept) {
    out.push_back(static_cast<std::byte>(accept ? 'S' : 'N'));
}

void write_gssenc_response(ByteBuffer& out, bool accept) {
    out.push_back(static_cast<std::byte>(accept ? 'G' : 'N'));
}

void write_row_description(ByteBuffer& out, std::span<const ColumnDescription> columns) {
    MessageBuilder m(out, backend::row_description);
    m.i16(static_cast<std::int16_t>(columns.size()));
    for (const auto& c : columns) {
        m.cstring(c.name).u32(c.table_oid).i16(c.column_attribute).u32(c.type_oid);
        m.i16(c.type_size).i32(c.type_modifier).i16(c.format);
    }
    m.finish();
}

void write_data_row(ByteBuffer& out, std::span<const WireValue> columns) {
    MessageBuilder m(out, backend::data_row);
    m.i16(static_cast<std::int16_t>(columns.size()));
    for (const auto& value : columns) put_value(m, value);
    m.finish();
}

void write_command_complete(ByteBuffer& out, std::string_view tag) {
    MessageBuilder(out, backend::command_complete).cstring(tag).finish();
}

void write_empty_query_response(ByteBuffer& out) {
    write_empty(out, backend::empty_query_response);
}
void write_parse_complete(ByteBuffer& out) {
    write_empty(out, backend::parse_complete);
}
void write_bind_complete(ByteBuffer& out) {
    write_empty(out, backend::bind_complete);
}
void write_close_complete(ByteBuffer& out) {
    write_empty(out, backend::close_complete);
}
void write_no_data(ByteBuffer& out) {
    write_empty(out, backend::no_data);
}

void write_startup_message(ByteBuffer& out, std::span<const StartupParameter> parameters,
                           std::uint32_t protocol_version) {
    MessageBuilder m(out, 0);
    m.u32(protocol_version);
    for (const auto& p : parameters) m.cstring(p.name).cstring(p.value);
    m.u8(0).finish();
}

void write_startup_message(ByteBuffer& out, std::initializer_list<StartupParameter> parameters,
                           std::uint32_t protocol_version) {
    write_startup_message(out, std::span(parameters.begin(), parameters.size()), protocol_version);
}

void write_ssl_request(ByteBuffer& out) {
    MessageBuilder(out, 0).u32(ssl_request_code).finish();
}

void write_cancel_request(ByteBuffer& out, std::int32_t process_id, std::uint32_t secret_key) {
    MessageBuilder(out, 0).u32(cancel_request_code).i32(process_id).u32(secret_key).finish();
}

void write_cancel_request(ByteBuffer& out, std::int32_t process_id, Bytes secret_key) {
    MessageBuilder(out, 0).u32(cancel_request_code).i32(process_id).bytes(secret_key).finish();
}

void write_password_message(ByteBuffer& out, std::string_view password) {
    MessageBuilder(out, frontend::password).cstring(password).finish();
}

void write_sasl_initial_response(ByteBuffer& out, std::string_view mechanism,
                                 std::optional<Bytes> initial_response) {
    MessageBuilder m(out, frontend::password);
    m.cstring(mechanism);
    if (initial_response) {
        m.i32(static_cast<std::int32_t>(initial_response->size())).bytes(*initial_response);
    } else {
        m.i32(-1);
    }
    m.finish();
}

void write_sasl_response(ByteBuffer& out, Bytes data) {
    MessageBuilder(out, frontend::password).bytes(data).finish();
}

void write_query(ByteBuffer& out, std::string_view sql) {
    MessageBuilder(out, frontend::query).cstring(sql).finish();
}

void write_parse(ByteBuffer& out, std::string_view statement, std::string_view query,
                 std::span<const std::uint32_t> parameter_types) {
    MessageBuilder m(out, frontend::parse);
    m.cstring(statement).cstring(query).i16(static_cast<std::int16_t>(parameter_types.size()));
    for (const auto oid : parameter_types) m.u32(oid);
    m.finish();
}

void write_bind(ByteBuffer& out, std::string_view portal, std::string_view statement,
                std::span<const std::int16_t> parameter_formats,
                std::span<const WireValue> parameters,
                std::span<const std::int16_t> result_formats) {
    MessageBuilder m(out, frontend::bind);
    m.cstring(portal).cstring(statement);
    put_format_codes(m, parameter_formats);
    m.i16(static_cast<std::int16_t>(parameters.size()));
    for (const auto& value : parameters) put_value(m, value);
    put_format_codes(m, result_formats);
    m.finish();
}

void write_describe(ByteBuffer& out, TargetKind kind, std::string_view name) {
    write_target(out, frontend::describe, kind, name);
}

void write_execute(ByteBuffer& out, std::string_view portal, std::int32_t max_rows) {
    MessageBuilder(out, frontend::execute).cstring(portal).i32(max_rows).finish();
}

void write_close(ByteBuffer& out, TargetKind kind, std::string_view name) {
    write_target(out, frontend::close, kind, name);
}

void write_sync(ByteBuffer& out) {
    write_empty(out, frontend::sync);
}
void write_flush(ByteBuffer& out) {
    write_empty(out, frontend::flush);
}
void write_terminate(ByteBuffer& out) {
    write_empty(out, frontend::terminate);
}

void write_copy_data(ByteBuffer& out, Bytes data) {
    MessageBuilder(out, frontend::copy_data).bytes(data).finish();
}

void write_copy_done(ByteBuffer& out) {
    write_empty(out, frontend::copy_done);
}

void write_copy_fail(ByteBuffer& out, std::string_view message) {
    MessageBuilder(out, frontend::copy_fail).cstring(message).finish();
}

}  // namespace pgfront::protocol
