// Views of the extended-query messages: Parse, Bind, Describe, Execute, Close from the
// client and ParameterDescription from the server. Sync, Flush, ParseComplete, BindComplete,
// CloseComplete, NoData and PortalSuspended have empty payloads (see has_empty_payload).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/bytes.hpp"
#include "protocol/value_list.hpp"

namespace pgfront::protocol {

// Parse: String statement name ("" = unnamed), String query, Int16 count, Int32 type OIDs
// (0 = let the server infer).
struct Parse {
    std::string_view statement;
    std::string_view query;
    OidArray parameter_types;
    static std::optional<Parse> parse(Bytes payload);
};

// Bind: String portal, String statement, Int16 count + Int16 parameter format codes, Int16
// count + parameter values, Int16 count + Int16 result format codes. Layout only: whether the
// counts agree is the server's check, as the server owns the statement.
struct Bind {
    std::string_view portal;
    std::string_view statement;
    FormatCodes parameter_formats;
    ValueList parameters;
    FormatCodes result_formats;
    static std::optional<Bind> parse(Bytes payload);
};

// Describe and Close name either a prepared statement ('S') or a portal ('P').
enum class TargetKind : char { statement = 'S', portal = 'P' };

struct Describe {
    TargetKind kind = TargetKind::statement;
    std::string_view name;
    static std::optional<Describe> parse(Bytes payload);
};

struct Close {
    TargetKind kind = TargetKind::statement;
    std::string_view name;
    static std::optional<Close> parse(Bytes payload);
};

// Execute: String portal, Int32 maximum rows (0 = no limit).
struct Execute {
    std::string_view portal;
    std::int32_t max_rows = 0;
    static std::optional<Execute> parse(Bytes payload);
};

// ParameterDescription ('t'): Int16 count, Int32 type OIDs.
struct ParameterDescription {
    OidArray parameter_types;
    static std::optional<ParameterDescription> parse(Bytes payload);
};

}  // namespace pgfront::protocol
