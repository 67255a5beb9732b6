// The client side of SCRAM-SHA-256 (RFC 5802 §3, §7; RFC 7677) as libpq speaks it.
#include "auth/scram_client_exchange.hpp"

#include <stdexcept>

#include "auth/base64.hpp"
#include "auth/scram_messages.hpp"

namespace pgfront::auth {

namespace {

constexpr std::string_view kGs2Header = "n,,";
constexpr std::string_view kChannelBinding = "biws";  // base64("n,,")

}  // namespace

bool scram_nonce_extends(std::string_view combined, std::string_view client_nonce) {
    return combined.size() > client_nonce.size() && combined.starts_with(client_nonce);
}

std::string scram_encode_saslname(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (const char c : name) {
        if (c == ',') {
            out += "=2C";
        } else if (c == '=') {
            out += "=3D";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

ScramClientExchange::ScramClientExchange(std::string client_nonce, std::string_view user,
                                         std::optional<std::string> password,
                                         std::optional<ScramKeys> keys)
    : client_nonce_(std::move(client_nonce)),
      password_(std::move(password)),
      keys_(std::move(keys)) {
    if (client_nonce_.empty() || !is_scram_printable(client_nonce_)) {
        throw std::invalid_argument("SCRAM client nonce must be printable and non-empty");
    }
    client_first_ =
        std::string(kGs2Header) + "n=" + scram_encode_saslname(user) + ",r=" + client_nonce_;
}

ScramClientExchange ScramClientExchange::with_password(std::string_view password,
                                                       std::string client_nonce,
                                                       std::string_view user) {
    return ScramClientExchange(std::move(client_nonce), user, std::string(password), std::nullopt);
}

ScramClientExchange ScramClientExchange::with_keys(ScramKeys keys, std::string client_nonce,
                                                   std::string_view user) {
    return ScramClientExchange(std::move(client_nonce), user, std::nullopt, std::move(keys));
}

ScramError ScramClientExchange::fail(ScramErrc code, std::string detail) {
    state_ = State::failed;
    return ScramError{code, std::move(detail)};
}

Result<std::string, ScramError> ScramClientExchange::step(std::string_view server_first) {
    if (state_ != State::expect_server_first) {
        return fail(ScramErrc::out_of_order, "server-first-message out of order");
    }
    auto parsed = parse_server_first_message(server_first);
    if (!parsed) return fail(ScramErrc::server_malformed_message, parsed.error());
    const ServerFirstMessage& m = parsed.value();
    if (m.has_mandatory_extension) {
        return fail(ScramErrc::server_malformed_message,
                    "server requires an unsupported SCRAM extension");
    }
    if (!scram_nonce_extends(m.nonce, client_nonce_)) {
        return fail(ScramErrc::server_nonce_mismatch,
                    "server nonce does not extend the client nonce");
    }

    ScramKey client_key{};
    ScramKey server_key{};
    if (password_) {
        const ScramKeys derived = ScramKeys::derive_remembered(*password_, m.salt, m.iterations);
        client_key = derived.client_key;
        server_key = derived.server_key;
    } else {
        const bool salt_known = !keys_->salt.empty();
        const bool iterations_known = keys_->iterations != 0;
        if ((salt_known && keys_->salt != m.salt) ||
            (iterations_known && keys_->iterations != m.iterations)) {
            return fail(ScramErrc::server_secret_mismatch,
                        "the server's SCRAM secret has a different salt or iteration count "
                        "than the one the client was verified against (password changed?)");
        }
        client_key = keys_->client_key;
        server_key = keys_->server_key;
    }

    std::string without_proof = "c=" + std::string(kChannelBinding) + ",r=" + std::string(m.nonce);
    std::string auth_message = client_first_.substr(kGs2Header.size());
    auth_message.append(",").append(server_first).append(",").append(without_proof);

    const ScramKey client_signature = scram_signature(scram_stored_key(client_key), auth_message);
    const ScramKey proof = scram_xor(client_key, client_signature);
    expected_server_signature_ = scram_signature(server_key, auth_message);
    state_ = State::expect_server_final;
    return without_proof + ",p=" + base64_encode(proof);
}

std::optional<ScramError> ScramClientExchange::verify(std::string_view server_final) {
    if (state_ != State::expect_server_final) {
        return fail(ScramErrc::out_of_order, "server-final-message out of order");
    }
    auto parsed = parse_server_final_message(server_final);
    if (!parsed) return fail(ScramErrc::server_malformed_message, parsed.error());
    if (parsed->is_error) {
        return fail(ScramErrc::server_error, "server error: " + std::string(parsed->error));
    }
    if (!constant_time_equal(parsed->verifier, expected_server_signature_)) {
        return fail(ScramErrc::server_signature_mismatch, "incorrect server signature");
    }
    state_ = State::succeeded;
    return std::nullopt;
}

}  // namespace pgfront::auth
