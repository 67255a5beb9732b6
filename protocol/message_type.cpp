// Type-byte tables: which messages exist, when they may appear, and their names.
#include "protocol/message_type.hpp"

namespace pgfront::protocol {

std::string_view message_name(Sender from, char type) {
    if (from == Sender::frontend) {
        switch (type) {
            case frontend::bind:
                return "Bind";
            case frontend::close:
                return "Close";
            case frontend::copy_data:
                return "CopyData";
            case frontend::copy_done:
                return "CopyDone";
            case frontend::copy_fail:
                return "CopyFail";
            case frontend::describe:
                return "Describe";
            case frontend::execute:
                return "Execute";
            case frontend::flush:
                return "Flush";
            case frontend::function_call:
                return "FunctionCall";
            case frontend::parse:
                return "Parse";
            case frontend::password:
                return "PasswordMessage";
            case frontend::query:
                return "Query";
            case frontend::sync:
                return "Sync";
            case frontend::terminate:
                return "Terminate";
            default:
                return "unknown";
        }
    }
    switch (type) {
        case backend::authentication:
            return "Authentication";
        case backend::backend_key_data:
            return "BackendKeyData";
        case backend::bind_complete:
            return "BindComplete";
        case backend::close_complete:
            return "CloseComplete";
        case backend::command_complete:
            return "CommandComplete";
        case backend::copy_data:
            return "CopyData";
        case backend::copy_done:
            return "CopyDone";
        case backend::copy_in_response:
            return "CopyInResponse";
        case backend::copy_out_response:
            return "CopyOutResponse";
        case backend::copy_both_response:
            return "CopyBothResponse";
        case backend::data_row:
            return "DataRow";
        case backend::empty_query_response:
            return "EmptyQueryResponse";
        case backend::error_response:
            return "ErrorResponse";
        case backend::function_call_response:
            return "FunctionCallResponse";
        case backend::negotiate_protocol_version:
            return "NegotiateProtocolVersion";
        case backend::no_data:
            return "NoData";
        case backend::notice_response:
            return "NoticeResponse";
        case backend::notification_response:
            return "NotificationResponse";
        case backend::parameter_description:
            return "ParameterDescription";
        case backend::parameter_status:
            return "ParameterStatus";
        case backend::parse_complete:
            return "ParseComplete";
        case backend::portal_suspended:
            return "PortalSuspended";
        case backend::ready_for_query:
            return "ReadyForQuery";
        case backend::row_description:
            return "RowDescription";
        default:
            return "unknown";
    }
}

bool is_known_type(Sender from, char type) {
    return message_name(from, type) != "unknown";
}

bool is_valid_type(Sender from, char type, ProtocolPhase phase) {
    if (!is_known_type(from, type)) return false;
    bool startup_type = false;
    if (from == Sender::frontend) {
        if (type == frontend::terminate) return true;  // a client may leave at any time
        startup_type = type == frontend::password;
    } else {
        switch (type) {
            case backend::authentication:
            case backend::backend_key_data:
            case backend::negotiate_protocol_version:
                startup_type = true;
                break;
            // Both phases; ReadyForQuery ends startup, then answers every Sync and Query.
            case backend::parameter_status:
            case backend::error_response:
            case backend::notice_response:
            case backend::ready_for_query:
                return true;
            default:
                break;
        }
    }
    return phase == ProtocolPhase::startup ? startup_type : !startup_type;
}

bool has_empty_payload(Sender from, char type) {
    if (from == Sender::frontend) {
        return type == frontend::sync || type == frontend::flush || type == frontend::terminate ||
               type == frontend::copy_done;
    }
    return type == backend::parse_complete || type == backend::bind_complete ||
           type == backend::close_complete || type == backend::no_data ||
           type == backend::portal_suspended || type == backend::empty_query_response ||
           type == backend::copy_done;
}

bool is_small_frontend_message(char type) {
    switch (type) {
        case frontend::close:
        case frontend::describe:
        case frontend::execute:
        case frontend::flush:
        case frontend::sync:
        case frontend::terminate:
        case frontend::copy_done:
        case frontend::copy_fail:
            return true;
        default:
            return false;
    }
}

}  // namespace pgfront::protocol
