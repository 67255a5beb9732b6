// Parsing and lookup of error/notice fields; severity names.
#include "protocol/error_fields.hpp"

namespace pgfront::protocol {

std::optional<ErrorFields> ErrorFields::parse(Bytes payload) {
    WireReader reader(payload);
    while (true) {
        std::uint8_t code = 0;
        if (!reader.u8(code)) return std::nullopt;  // missing terminator
        if (code == 0) break;
        std::string_view value;
        if (!reader.cstring(value)) return std::nullopt;
    }
    if (!reader.at_end()) return std::nullopt;
    return ErrorFields{payload.first(payload.size() - 1)};
}

std::optional<std::string_view> ErrorFields::find(char code) const {
    for (const auto field : fields()) {
        if (field.code == code) return field.value;
    }
    return std::nullopt;
}

std::string_view ErrorFields::severity() const {
    if (auto v = find(error_field::severity_nonlocalized)) return *v;
    return find(error_field::severity).value_or("");
}

bool ErrorFields::is_fatal() const {
    const auto s = severity();
    return s == "FATAL" || s == "PANIC";
}

std::string_view severity_text(Severity severity) {
    switch (severity) {
        case Severity::error:
            return "ERROR";
        case Severity::fatal:
            return "FATAL";
        case Severity::panic:
            return "PANIC";
        case Severity::warning:
            return "WARNING";
        case Severity::notice:
            return "NOTICE";
        case Severity::debug:
            return "DEBUG";
        case Severity::info:
            return "INFO";
        case Severity::log:
            return "LOG";
    }
    return "ERROR";
}

}  // namespace pgfront::protocol
