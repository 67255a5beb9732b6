// Views of the COPY sub-protocol: CopyInResponse ('G'), CopyOutResponse ('H') and
// CopyBothResponse ('W') share one layout; CopyData and CopyFail; CopyDone is empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/bytes.hpp"
#include "protocol/value_list.hpp"

namespace pgfront::protocol {

// Int8 overall format (0 text, 1 binary), Int16 count, Int16 per-column format codes.
struct CopyResponse {
    std::uint8_t format = 0;
    FormatCodes column_formats;
    static std::optional<CopyResponse> parse(Bytes payload);
};

// CopyData: a chunk of the data stream; its bounds need not match rows.
struct CopyData {
    Bytes data;
    static std::optional<CopyData> parse(Bytes payload) { return CopyData{payload}; }
};

// CopyFail: the client's reason for aborting COPY FROM STDIN.
struct CopyFail {
    std::string_view message;
    static std::optional<CopyFail> parse(Bytes payload);
};

}  // namespace pgfront::protocol
