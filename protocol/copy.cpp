// Parsing of the COPY sub-protocol messages.
#include "protocol/copy.hpp"

namespace pgfront::protocol {

std::optional<CopyResponse> CopyResponse::parse(Bytes payload) {
    WireReader reader(payload);
    CopyResponse c;
    if (!reader.u8(c.format) || c.format > 1 || !read_format_codes(reader, c.column_formats) ||
        !reader.at_end()) {
        return std::nullopt;
    }
    return c;
}

std::optional<CopyFail> CopyFail::parse(Bytes payload) {
    WireReader reader(payload);
    CopyFail f;
    if (!reader.cstring(f.message) || !reader.at_end()) return std::nullopt;
    return f;
}

}  // namespace pgfront::protocol
