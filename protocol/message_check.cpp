// Dispatch from a type byte to the view that validates its payload.
#include "protocol/message_check.hpp"

#include "protocol/authentication.hpp"
#include "protocol/backend_status.hpp"
#include "protocol/copy.hpp"
#include "protocol/error_fields.hpp"
#include "protocol/extended_query.hpp"
#include "protocol/function_call.hpp"
#include "protocol/simple_query.hpp"
#include "protocol/startup_messages.hpp"

namespace pgfront::protocol {
namespace {

bool frontend_well_formed(char type, Bytes payload) {
    switch (type) {
        case frontend::bind:
            return Bind::parse(payload).has_value();
        case frontend::close:
            return Close::parse(payload).has_value();
        case frontend::copy_data:
            return true;
        case frontend::copy_fail:
            return CopyFail::parse(payload).has_value();
        case frontend::describe:
            return Describe::parse(payload).has_value();
        case frontend::execute:
            return Execute::parse(payload).has_value();
        case frontend::function_call:
            return FunctionCall::parse(payload).has_value();
        case frontend::parse:
            return Parse::parse(payload).has_value();
        case frontend::password:
            return true;
        case frontend::query:
            return Query::parse(payload).has_value();
        default:
            return false;
    }
}

bool backend_well_formed(char type, Bytes payload) {
    switch (type) {
        case backend::authentication:
            return AuthenticationRequest::parse(payload).has_value();
        case backend::backend_key_data:
            return BackendKeyData::parse(payload).has_value();
        case backend::command_complete:
            return CommandComplete::parse(payload).has_value();
        case backend::copy_data:
            return true;
        case backend::copy_in_response:
        case backend::copy_out_response:
        case backend::copy_both_response:
            return CopyResponse::parse(payload).has_value();
        case backend::data_row:
            return DataRow::parse(payload).has_value();
        case backend::error_response:
        case backend::notice_response:
            return ErrorFields::parse(payload).has_value();
        case backend::function_call_response:
            return FunctionCallResponse::parse(payload).has_value();
        case backend::negotiate_protocol_version:
            return NegotiateProtocolVersion::parse(payload).has_value();
        case backend::notification_response:
            return NotificationResponse::parse(payload).has_value();
        case backend::parameter_description:
            return ParameterDescription::parse(payload).has_value();
        case backend::parameter_status:
            return ParameterStatus::parse(payload).has_value();
        case backend::ready_for_query:
            return ReadyForQuery::parse(payload).has_value();
        case backend::row_description:
            return RowDescription::parse(payload).has_value();
        default:
            return false;
    }
}

}  // namespace

bool is_well_formed(Sender from, char type, Bytes payload) {
    if (has_empty_payload(from, type)) return payload.empty();
    return from == Sender::frontend ? frontend_well_formed(type, payload)
                                    : backend_well_formed(type, payload);
}

}  // namespace pgfront::protocol
