// Parsing, formatting and derivation of PostgreSQL's SCRAM-SHA-256 secret.
#include "auth/scram_secret.hpp"

#include <algorithm>
#include <charconv>

#include "auth/base64.hpp"

namespace pgfront::auth {

namespace {

constexpr std::string_view kPrefix = "SCRAM-SHA-256$";

bool decode_key(std::string_view text, ScramKey& key) {
    const auto bytes = base64_decode(text);
    if (!bytes || bytes->size() != key.size()) return false;
    std::copy(bytes->begin(), bytes->end(), key.begin());
    return true;
}

}  // namespace

Result<ScramSecret, std::string> ScramSecret::parse(std::string_view text) {
    if (!text.starts_with(kPrefix)) return std::string("does not start with \"SCRAM-SHA-256$\"");
    text.remove_prefix(kPrefix.size());

    const auto dollar = text.find('$');
    if (dollar == std::string_view::npos) {
        return std::string("expected <iterations>:<salt>$<StoredKey>:<ServerKey>");
    }
    const std::string_view params = text.substr(0, dollar);
    const std::string_view keys = text.substr(dollar + 1);

    const auto colon = params.find(':');
    if (colon == std::string_view::npos) return std::string("expected <iterations>:<salt>");
    const std::string_view iterations_text = params.substr(0, colon);
    const std::string_view salt_text = params.substr(colon + 1);

    ScramSecret secret;
    const auto* end = iterations_text.data() + iterations_text.size();
    const auto [ptr, ec] = std::from_chars(iterations_text.data(), end, secret.iterations);
    if (iterations_text.empty() || ec != std::errc() || ptr != end || secret.iterations < 1 ||
        iterations_text.front() == '+' || iterations_text.front() == '-') {
        return std::string("iteration count is not a positive integer");
    }
    auto salt = base64_decode(salt_text);
    if (!salt || salt->empty()) return std::string("salt is not non-empty base64");
    secret.salt = std::move(*salt);

    const auto key_colon = keys.find(':');
    if (key_colon == std::string_view::npos) return std::string("expected <StoredKey>:<ServerKey>");
    if (!decode_key(keys.substr(0, key_colon), secret.stored_key)) {
        return std::string("StoredKey is not base64 of 32 bytes");
    }
    if (!decode_key(keys.substr(key_colon + 1), secret.server_key)) {
        return std::string("ServerKey is not base64 of 32 bytes");
    }
    return secret;
}

std::string ScramSecret::to_string() const {
    std::string out(kPrefix);
    out += std::to_string(iterations);
    out += ':';
    out += base64_encode(salt);
    out += '$';
    out += base64_encode(stored_key);
    out += ':';
    out += base64_encode(server_key);
    return out;
}

ScramSecret ScramSecret::derive(std::string_view password, ByteView salt, int iterations) {
    const ScramKey salted = scram_salted_password(password, salt, iterations);
    ScramSecret secret;
    secret.iterations = iterations;
    secret.salt.assign(salt.begin(), salt.end());
    secret.stored_key = scram_stored_key(scram_client_key(salted));
    secret.server_key = scram_server_key(salted);
    return secret;
}

ScramSecret ScramSecret::generate(std::string_view password, RandomSource& random, int iterations) {
    return derive(password, make_salt(random), iterations);
}

ScramSecret ScramSecret::mock(std::string_view user, ByteView mock_key) {
    std::vector<std::uint8_t> input(user.begin(), user.end());
    input.insert(input.end(), mock_key.begin(), mock_key.end());
    const Sha256Digest digest = sha256(input);
    ScramSecret secret;
    secret.iterations = kScramDefaultIterations;
    secret.salt.assign(digest.begin(), digest.begin() + kScramSaltSize);
    // StoredKey and ServerKey stay zero: no password has H(ClientKey) == 0...0 in practice,
    // and ScramServerExchange fails mock exchanges regardless.
    return secret;
}

bool ScramSecret::verify_password(std::string_view password) const {
    const ScramKey salted = scram_salted_password(password, salt, iterations);
    const ScramKey stored = scram_stored_key(scram_client_key(salted));
    const ScramKey server = scram_server_key(salted);
    // Both compared, no early exit.
    const bool stored_ok = constant_time_equal(stored, stored_key);
    const bool server_ok = constant_time_equal(server, server_key);
    return stored_ok && server_ok;
}

ScramKeys ScramSecret::keys_for_password(std::string_view password) const {
    return ScramKeys::derive(password, salt, iterations);
}

}  // namespace pgfront::auth
