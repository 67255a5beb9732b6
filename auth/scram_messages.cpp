// RFC 5802 §7 message grammar. Messages are split at ','; no value may contain one, so each
// field is one attribute (or the gs2 flag and authzid of the header).
#include "auth/scram_messages.hpp"

#include <charconv>
#include <optional>

#include "auth/base64.hpp"

namespace pgfront::auth {

namespace {

std::vector<std::string_view> split_fields(std::string_view text) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (true) {
        const auto comma = text.find(',', start);
        if (comma == std::string_view::npos) {
            fields.push_back(text.substr(start));
            return fields;
        }
        fields.push_back(text.substr(start, comma - start));
        start = comma + 1;
    }
}

bool is_alpha(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// attr-val: ALPHA "=" value. Returns the value when `field` is attribute `name`.
std::optional<std::string_view> attribute(std::string_view field, char name) {
    if (field.size() < 2 || field[0] != name || field[1] != '=') return std::nullopt;
    return field.substr(2);
}

// Any extension: ALPHA "=" *value-char (PostgreSQL also accepts an empty value).
bool is_extension(std::string_view field) {
    return field.size() >= 2 && is_alpha(field[0]) && field[1] == '=';
}

// saslname: value-safe-chars with '=' only as "=2C" or "=3D".
bool is_saslname(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '=') continue;
        const std::string_view escape = text.substr(i + 1, 2);
        if (escape != "2C" && escape != "3D") return false;
        i += 2;
    }
    return true;
}

// cb-name: 1*(ALPHA / DIGIT / "." / "-")
bool is_cb_name(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text) {
        if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '.' && c != '-') return false;
    }
    return true;
}

std::optional<std::vector<std::uint8_t>> base64_attribute(std::string_view field, char name) {
    const auto value = attribute(field, name);
    if (!value) return std::nullopt;
    return base64_decode(*value);
}

std::string expected(char name, std::string_view where) {
    return std::string("expected attribute '") + name + "=' in " + std::string(where);
}

bool extensions_ok(const std::vector<std::string_view>& fields, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
        if (!is_extension(fields[i])) return false;
    }
    return true;
}

}  // namespace

bool is_scram_printable(std::string_view text) {
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x21 || c > 0x7E || c == ',') return false;
    }
    return true;
}

Result<ClientFirstMessage, std::string> parse_client_first_message(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) return std::string("NUL byte in message");
    const auto fields = split_fields(text);
    if (fields.size() < 4) return std::string("client-first-message is too short");

    ClientFirstMessage m;
    const std::string_view flag = fields[0];
    if (flag == "n") {
        m.channel_binding = ChannelBindingFlag::not_supported;
    } else if (flag == "y") {
        m.channel_binding = ChannelBindingFlag::not_offered;
    } else if (const auto name = attribute(flag, 'p')) {
        if (!is_cb_name(*name)) return std::string("invalid channel binding name");
        m.channel_binding = ChannelBindingFlag::required;
        m.channel_binding_name = *name;
    } else {
        return std::string("invalid gs2 channel binding flag");
    }

    if (!fields[1].empty()) {
        const auto authzid = attribute(fields[1], 'a');
        if (!authzid || authzid->empty() || !is_saslname(*authzid)) {
            return std::string("invalid authzid in gs2 header");
        }
        m.has_authzid = true;
        m.authzid = *authzid;
    }
    const std::size_t header_size = fields[0].size() + fields[1].size() + 2;
    m.gs2_header = text.substr(0, header_size);
    m.bare = text.substr(header_size);

    std::size_t i = 2;
    if (attribute(fields[i], 'm')) {
        m.has_mandatory_extension = true;
        ++i;
    }
    if (i + 2 > fields.size()) return std::string("client-first-message is too short");
    const auto username = attribute(fields[i], 'n');
    if (!username) return expected('n', "client-first-message");
    if (!is_saslname(*username)) return std::string("invalid user name encoding");
    m.username = *username;
    ++i;
    const auto nonce = attribute(fields[i], 'r');
    if (!nonce) return expected('r', "client-first-message");
    if (nonce->empty() || !is_scram_printable(*nonce)) {
        return std::string("nonce is empty or not printable");
    }
    m.nonce = *nonce;
    ++i;
    if (!extensions_ok(fields, i, fields.size())) {
        return std::string("garbage at the end of client-first-message");
    }
    return m;
}

Result<ClientFinalMessage, std::string> parse_client_final_message(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) return std::string("NUL byte in message");
    const auto fields = split_fields(text);
    if (fields.size() < 3) return std::string("client-final-message is too short");

    ClientFinalMessage m;
    const auto binding = attribute(fields[0], 'c');
    if (!binding) return expected('c', "client-final-message");
    auto binding_data = base64_decode(*binding);
    if (!binding_data) return std::string("channel binding is not base64");
    m.channel_binding = std::move(*binding_data);
    m.channel_binding_text = *binding;

    const auto nonce = attribute(fields[1], 'r');
    if (!nonce) return expected('r', "client-final-message");
    if (nonce->empty() || !is_scram_printable(*nonce)) {
        return std::string("nonce is empty or not printable");
    }
    m.nonce = *nonce;

    // Extensions until the first "p=", which must be the last attribute.
    std::size_t proof_at = 2;
    while (proof_at < fields.size() && !attribute(fields[proof_at], 'p')) ++proof_at;
    if (proof_at == fields.size()) return expected('p', "client-final-message");
    if (proof_at + 1 != fields.size()) {
        return std::string("garbage at the end of client-final-message");
    }
    if (!extensions_ok(fields, 2, proof_at)) return std::string("invalid extension attribute");
    auto proof = base64_attribute(fields[proof_at], 'p');
    if (!proof) return std::string("proof is not base64");
    m.proof = std::move(*proof);
    m.without_proof = text.substr(0, text.size() - fields[proof_at].size() - 1);
    return m;
}

Result<ServerFirstMessage, std::string> parse_server_first_message(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) return std::string("NUL byte in message");
    const auto fields = split_fields(text);
    ServerFirstMessage m;
    std::size_t i = 0;
    if (attribute(fields[i], 'm')) {
        m.has_mandatory_extension = true;
        ++i;
    }
    if (i + 3 > fields.size()) return std::string("server-first-message is too short");

    const auto nonce = attribute(fields[i], 'r');
    if (!nonce) return expected('r', "server-first-message");
    if (nonce->empty() || !is_scram_printable(*nonce)) {
        return std::string("nonce is empty or not printable");
    }
    m.nonce = *nonce;

    auto salt = base64_attribute(fields[i + 1], 's');
    if (!salt || salt->empty()) return std::string("salt is missing or not base64");
    m.salt = std::move(*salt);

    const auto iterations = attribute(fields[i + 2], 'i');
    if (!iterations) return expected('i', "server-first-message");
    const char* end = iterations->data() + iterations->size();
    const auto [ptr, ec] = std::from_chars(iterations->data(), end, m.iterations);
    if (iterations->empty() || (*iterations)[0] < '1' || (*iterations)[0] > '9' ||
        ec != std::errc() || ptr != end) {
        return std::string("invalid iteration count");
    }
    if (!extensions_ok(fields, i + 3, fields.size())) {
        return std::string("garbage at the end of server-first-message");
    }
    return m;
}

Result<ServerFinalMessage, std::string> parse_server_final_message(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) return std::string("NUL byte in message");
    const auto fields = split_fields(text);
    ServerFinalMessage m;
    if (const auto error = attribute(fields[0], 'e')) {
        if (error->empty()) return std::string("empty server-error-value");
        m.is_error = true;
        m.error = *error;
    } else if (const auto verifier = attribute(fields[0], 'v')) {
        auto decoded = base64_decode(*verifier);
        if (!decoded) return std::string("verifier is not base64");
        m.verifier = std::move(*decoded);
    } else {
        return std::string("expected attribute 'v=' or 'e=' in server-final-message");
    }
    if (!extensions_ok(fields, 1, fields.size())) {
        return std::string("garbage at the end of server-final-message");
    }
    return m;
}

}  // namespace pgfront::auth
