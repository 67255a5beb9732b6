// Bounds-checked reading of format-code, OID and value arrays.
#include "protocol/value_list.hpp"

namespace pgfront::protocol {
namespace {

bool read_count(WireReader& reader, std::size_t& count) {
    std::int16_t raw = 0;
    if (!reader.i16(raw)) return false;
    count = static_cast<std::uint16_t>(raw);
    return true;
}

}  // namespace

bool read_value(WireReader& reader, WireValue& out) {
    std::int32_t length = 0;
    if (!reader.i32(length)) return false;
    if (length == -1) {
        out = WireValue::null();
        return true;
    }
    if (length < 0) return false;
    out.is_null = false;
    return reader.bytes(static_cast<std::size_t>(length), out.bytes);
}

bool read_format_codes(WireReader& reader, FormatCodes& out) {
    std::size_t count = 0;
    Bytes bytes;
    if (!read_count(reader, count) || !reader.bytes(2 * count, bytes)) return false;
    out = FormatCodes(bytes);
    return true;
}

bool read_oids(WireReader& reader, OidArray& out) {
    std::size_t count = 0;
    Bytes bytes;
    if (!read_count(reader, count) || !reader.bytes(4 * count, bytes)) return false;
    out = OidArray(bytes);
    return true;
}

bool read_values(WireReader& reader, ValueList& out) {
    std::size_t count = 0;
    if (!read_count(reader, count)) return false;
    // Measure the values by reading them from a copy, then take exactly those bytes.
    WireReader probe = reader;
    const std::size_t before = probe.remaining();
    for (std::size_t i = 0; i < count; ++i) {
        WireValue value;
        if (!read_value(probe, value)) return false;
    }
    Bytes bytes;
    if (!reader.bytes(before - probe.remaining(), bytes)) return false;
    out = ValueList(count, bytes);
    return true;
}

}  // namespace pgfront::protocol
