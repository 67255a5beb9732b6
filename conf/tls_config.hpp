// The tls: section: how pgfront encrypts its two legs, towards clients (tls.client, where
// pgfront is the TLS server) and towards PostgreSQL (tls.server, where it is the TLS client).
// Plain data plus the pure parsers of its values; loading OpenSSL contexts lives in tls/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgfront::conf {

// libpq's sslmode names, used for both legs (PgBouncer's client_tls_sslmode and
// server_tls_sslmode do the same). What each means on each leg: README, "TLS".
enum class TlsMode { disable, allow, prefer, require, verify_ca, verify_full };

std::optional<TlsMode> parse_tls_mode(std::string_view text);
std::string_view to_string(TlsMode mode);
// verify-ca and verify-full: the peer must present a certificate signed by ca_file.
inline bool verifies_peer(TlsMode mode) {
    return mode == TlsMode::verify_ca || mode == TlsMode::verify_full;
}

// TLS protocol versions allowed, one bit each.
enum TlsProtocol : std::uint8_t { tls_v1_0 = 1, tls_v1_1 = 2, tls_v1_2 = 4, tls_v1_3 = 8 };
inline constexpr std::uint8_t tls_protocols_secure = tls_v1_2 | tls_v1_3;
inline constexpr std::uint8_t tls_protocols_all = tls_v1_0 | tls_v1_1 | tls_v1_2 | tls_v1_3;

// PgBouncer's tls_protocols syntax: "secure" (TLSv1.2 and 1.3), "all", or a list of
// tlsv1.0, tlsv1.1, tlsv1.2, tlsv1.3 separated by commas or spaces. Nullopt on anything else.
std::optional<std::uint8_t> parse_tls_protocols(std::string_view text);

struct TlsSideConfig {
    TlsMode mode = TlsMode::disable;
    std::string cert_file;  // PEM, the chain pgfront presents (client leg: required unless disable)
    std::string key_file;   // PEM, unencrypted
    std::string ca_file;    // PEM, the CAs the peer's certificate must chain to (verify-ca/full)
    std::string ciphers;    // OpenSSL cipher list for TLS <= 1.2; empty: OpenSSL's default
    std::uint8_t protocols = tls_protocols_secure;

    friend bool operator==(const TlsSideConfig&, const TlsSideConfig&) = default;
};

struct TlsConfig {
    // Clients. Default: prefer when cert_file is set and mode is not, else disable.
    TlsSideConfig client;
    // PostgreSQL servers. Default disable (plain TCP to the nodes, as before TLS existed).
    TlsSideConfig server;

    friend bool operator==(const TlsConfig&, const TlsConfig&) = default;
};

}  // namespace pgfront::conf
