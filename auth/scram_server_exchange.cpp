// The two steps of SCRAM-SHA-256 on the server side (RFC 5802 §5, §7; RFC 7677).
#include "auth/scram_server_exchange.hpp"

#include <algorithm>
#include <stdexcept>

#include "auth/base64.hpp"
#include "auth/scram_messages.hpp"

namespace pgfront::auth {

ScramServerExchange::ScramServerExchange(ScramSecret secret, std::string server_nonce)
    : secret_(std::move(secret)), server_nonce_(std::move(server_nonce)) {
    if (server_nonce_.empty() || !is_scram_printable(server_nonce_)) {
        throw std::invalid_argument("SCRAM server nonce must be printable and non-empty");
    }
}

ScramServerExchange ScramServerExchange::from_password(std::string_view password,
                                                       RandomSource& random, int iterations) {
    auto secret = ScramSecret::generate(password, random, iterations);
    return ScramServerExchange(std::move(secret), make_scram_nonce(random));
}

ScramServerExchange ScramServerExchange::mock(std::string_view user, ByteView mock_key,
                                              std::string server_nonce) {
    ScramServerExchange exchange(ScramSecret::mock(user, mock_key), std::move(server_nonce));
    exchange.doomed_ = true;
    return exchange;
}

ScramError ScramServerExchange::fail(ScramErrc code, std::string detail) {
    state_ = State::failed;
    return ScramError{code, std::move(detail)};
}

Result<std::string, ScramError> ScramServerExchange::step(std::string_view client_message) {
    switch (state_) {
        case State::expect_client_first:
            return on_client_first(client_message);
        case State::expect_client_final:
            return on_client_final(client_message);
        case State::succeeded:
        case State::failed:
            break;
    }
    return fail(ScramErrc::out_of_order, "SCRAM message after the exchange ended");
}

Result<std::string, ScramError> ScramServerExchange::on_client_first(std::string_view message) {
    auto parsed = parse_client_first_message(message);
    if (!parsed) return fail(ScramErrc::malformed_message, parsed.error());
    const ClientFirstMessage& m = parsed.value();

    switch (m.channel_binding) {
        case ChannelBindingFlag::not_supported:
        case ChannelBindingFlag::not_offered:
            // 'y': the client could bind but believes we cannot; true, we did not offer
            // SCRAM-SHA-256-PLUS, so there is no downgrade to detect.
            break;
        case ChannelBindingFlag::required:
            return fail(ScramErrc::channel_binding_unsupported, "channel binding not supported");
    }
    if (m.has_authzid) {
        return fail(ScramErrc::unsupported_feature,
                    "client uses authorization identity, but it is not supported");
    }
    if (m.has_mandatory_extension) {
        return fail(ScramErrc::unsupported_feature,
                    "client requires an unsupported SCRAM extension");
    }

    gs2_header_ = m.gs2_header;
    client_first_bare_ = m.bare;
    nonce_ = std::string(m.nonce) + server_nonce_;
    server_first_ = "r=" + nonce_ + ",s=" + base64_encode(secret_.salt) +
                    ",i=" + std::to_string(secret_.iterations);
    state_ = State::expect_client_final;
    return server_first_;
}

Result<std::string, ScramError> ScramServerExchange::on_client_final(std::string_view message) {
    auto parsed = parse_client_final_message(message);
    if (!parsed) return fail(ScramErrc::malformed_message, parsed.error());
    const ClientFinalMessage& m = parsed.value();

    // Without channel binding c= is base64 of the gs2 header itself: "biws" for "n,,",
    // "eSws" for "y,,".
    if (m.channel_binding_text != base64_encode(as_byte_view(gs2_header_))) {
        return fail(ScramErrc::channel_binding_mismatch,
                    "unexpected SCRAM channel-binding attribute in client-final-message");
    }
    if (m.nonce != nonce_) return fail(ScramErrc::nonce_mismatch, "nonce does not match");
    if (m.proof.size() != kSha256Size) {
        return fail(ScramErrc::malformed_message, "malformed proof in client-final-message");
    }

    std::string auth_message;
    auth_message.reserve(client_first_bare_.size() + server_first_.size() + m.without_proof.size() +
                         2);
    auth_message.append(client_first_bare_).append(",").append(server_first_).append(",");
    auth_message.append(m.without_proof);

    ScramKey proof{};
    std::copy(m.proof.begin(), m.proof.end(), proof.begin());
    const ScramKey client_signature = scram_signature(secret_.stored_key, auth_message);
    const ScramKey client_key = scram_xor(proof, client_signature);
    const bool proof_ok = constant_time_equal(scram_stored_key(client_key), secret_.stored_key);
    if (!proof_ok || doomed_) {
        return fail(ScramErrc::invalid_proof, "password does not match");
    }

    keys_ = ScramKeys{client_key, secret_.server_key, secret_.salt, secret_.iterations};
    state_ = State::succeeded;
    return "v=" + base64_encode(scram_signature(secret_.server_key, auth_message));
}

}  // namespace pgfront::auth
