// Parsing of FunctionCall and FunctionCallResponse.
#include "protocol/function_call.hpp"

namespace pgfront::protocol {

std::optional<FunctionCall> FunctionCall::parse(Bytes payload) {
    WireReader reader(payload);
    FunctionCall f;
    if (!reader.u32(f.function_oid) || !read_format_codes(reader, f.argument_formats) ||
        !read_values(reader, f.arguments) || !reader.i16(f.result_format) || !reader.at_end()) {
        return std::nullopt;
    }
    return f;
}

std::optional<FunctionCallResponse> FunctionCallResponse::parse(Bytes payload) {
    WireReader reader(payload);
    FunctionCallResponse r;
    if (!read_value(reader, r.result) || !reader.at_end()) return std::nullopt;
    return r;
}

}  // namespace pgfront::protocol
