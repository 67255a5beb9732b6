// Views of the fast-path function call: FunctionCall ('F') from the client and
// FunctionCallResponse ('V') from the server.
#pragma once

#include <cstdint>
#include <optional>

#include "protocol/bytes.hpp"
#include "protocol/value_list.hpp"

namespace pgfront::protocol {

// Int32 function OID, Int16 count + argument format codes, Int16 count + arguments,
// Int16 result format.
struct FunctionCall {
    std::uint32_t function_oid = 0;
    FormatCodes argument_formats;
    ValueList arguments;
    std::int16_t result_format = 0;
    static std::optional<FunctionCall> parse(Bytes payload);
};

// Int32 length (-1 = NULL) and the result bytes.
struct FunctionCallResponse {
    WireValue result;
    static std::optional<FunctionCallResponse> parse(Bytes payload);
};

}  // namespace pgfront::protocol
