// Parsing of the extended-query messages.
#include "protocol/extended_query.hpp"

namespace pgfront::protocol {
namespace {

bool read_target(WireReader& reader, TargetKind& kind, std::string_view& name) {
    std::uint8_t raw = 0;
    if (!reader.u8(raw) || (raw != 'S' && raw != 'P')) return false;
    kind = static_cast<TargetKind>(raw);
    return reader.cstring(name) && reader.at_end();
}

}  // namespace

std::optional<Parse> Parse::parse(Bytes payload) {
    WireReader reader(payload);
    Parse p;
    if (!reader.cstring(p.statement) || !reader.cstring(p.query) ||
        !read_oids(reader, p.parameter_types) || !reader.at_end()) {
        return std::nullopt;
    }
    return p;
}

std::optional<Bind> Bind::parse(Bytes payload) {
    WireReader reader(payload);
    Bind b;
    if (!reader.cstring(b.portal) || !reader.cstring(b.statement) ||
        !read_format_codes(reader, b.parameter_formats) || !read_values(reader, b.parameters) ||
        !read_format_codes(reader, b.result_formats) || !reader.at_end()) {
        return std::nullopt;
    }
    return b;
}

std::optional<Describe> Describe::parse(Bytes payload) {
    WireReader reader(payload);
    Describe d;
    if (!read_target(reader, d.kind, d.name)) return std::nullopt;
    return d;
}

std::optional<Close> Close::parse(Bytes payload) {
    WireReader reader(payload);
    Close c;
    if (!read_target(reader, c.kind, c.name)) return std::nullopt;
    return c;
}

std::optional<Execute> Execute::parse(Bytes payload) {
    WireReader reader(payload);
    Execute e;
    if (!reader.cstring(e.portal) || !reader.i32(e.max_rows) || !reader.at_end()) {
        return std::nullopt;
    }
    return e;
}

std::optional<ParameterDescription> ParameterDescription::parse(Bytes payload) {
    WireReader reader(payload);
    ParameterDescription d;
    if (!read_oids(reader, d.parameter_types) || !reader.at_end()) return std::nullopt;
    return d;
}

}  // namespace pgfront::protocol
