// The tls: section: mode and protocol parsing, defaults, and the files each mode needs,
// each refusal with its key and line.
#include <doctest/doctest.h>

#include "conf/config_loader.hpp"

using namespace pgfront::conf;

namespace {
std::string fixture(const std::string& name) {
    return std::string(PGFRONT_TEST_DATA_DIR) + "/conf/" + name;
}

const char* cluster = R"(cluster:
  name: demo
  nodes:
    - {name: node1, host: 127.0.0.1, api: "http://127.0.0.1:8008"}
)";

LoadResult load_tls(const std::string& tls_section) {
    return load_config_text(std::string(cluster) + tls_section);
}
}  // namespace

TEST_CASE("libpq's sslmode names, nothing else") {
    CHECK(parse_tls_mode("disable") == TlsMode::disable);
    CHECK(parse_tls_mode("allow") == TlsMode::allow);
    CHECK(parse_tls_mode("prefer") == TlsMode::prefer);
    CHECK(parse_tls_mode("require") == TlsMode::require);
    CHECK(parse_tls_mode("verify-ca") == TlsMode::verify_ca);
    CHECK(parse_tls_mode("verify-full") == TlsMode::verify_full);
    CHECK_FALSE(parse_tls_mode("verify_full"));
    CHECK_FALSE(parse_tls_mode("Require"));
    CHECK_FALSE(parse_tls_mode(""));
    for (auto mode : {TlsMode::disable, TlsMode::allow, TlsMode::prefer, TlsMode::require,
                      TlsMode::verify_ca, TlsMode::verify_full})
        CHECK(parse_tls_mode(to_string(mode)) == mode);
}

TEST_CASE("protocol lists in PgBouncer's syntax") {
    CHECK(parse_tls_protocols("secure") == (tls_v1_2 | tls_v1_3));
    CHECK(parse_tls_protocols("all") == tls_protocols_all);
    CHECK(parse_tls_protocols("tlsv1.3") == tls_v1_3);
    CHECK(parse_tls_protocols("tlsv1.2, tlsv1.3") == (tls_v1_2 | tls_v1_3));
    CHECK(parse_tls_protocols("tlsv1.0 tlsv1.2") == (tls_v1_0 | tls_v1_2));
    CHECK_FALSE(parse_tls_protocols(""));
    CHECK_FALSE(parse_tls_protocols(" , "));
    CHECK_FALSE(parse_tls_protocols("sslv3"));
    CHECK_FALSE(parse_tls_protocols("tlsv1.2,tls1.3"));
}

TEST_CASE("without a tls: section nothing is encrypted") {
    auto r = load_tls("");
    REQUIRE(r.ok());
    CHECK(r.config->tls.client.mode == TlsMode::disable);
    CHECK(r.config->tls.server.mode == TlsMode::disable);
    CHECK(r.config->tls.client.protocols == tls_protocols_secure);
}

TEST_CASE("every key of the fixture is read; a certificate without a mode means prefer") {
    auto r = load_config_file(fixture("tls/files-elsewhere.yaml"));
    REQUIRE_MESSAGE(r.ok(), (r.errors.empty() ? "" : describe(r.errors[0], "tls")));
    const auto& t = r.config->tls;
    CHECK(t.client.mode == TlsMode::prefer);
    CHECK(t.client.cert_file == fixture("tls/pgfront.crt"));
    CHECK(t.client.key_file == fixture("tls/pgfront.key"));
    CHECK(t.client.ciphers == "HIGH:!aNULL");
    CHECK(t.client.protocols == tls_v1_3);
    CHECK(t.server.mode == TlsMode::verify_full);
    CHECK(t.server.ca_file == "/etc/pgfront/root.crt");
    CHECK(t.server.cert_file == "/etc/pgfront/client.crt");
    CHECK(t.server.key_file == "/etc/pgfront/client.key");
}

TEST_CASE("an explicit disable wins over a certificate") {
    auto r = load_tls("tls:\n  client: {mode: disable, cert_file: a.crt, key_file: a.key}\n");
    REQUIRE(r.ok());
    CHECK(r.config->tls.client.mode == TlsMode::disable);
}

TEST_CASE("refusals name the key and the line") {
    struct Case {
        const char* yaml;
        const char* key;
        int line;
        const char* words;
    };
    const Case cases[] = {
        {"tls:\n  client:\n    mode: strict\n", "tls.client.mode", 7, "expected disable, allow"},
        {"tls:\n  client:\n    mode: require\n", "tls.client.mode", 7,
         "needs tls.client.cert_file"},
        {"tls:\n  client:\n    cert_file: a.crt\n", "tls.client.cert_file", 7,
         "key_file is required"},
        {"tls:\n  client:\n    mode: verify-ca\n    cert_file: a.crt\n    key_file: a.key\n",
         "tls.client.mode", 7, "set tls.client.ca_file"},
        {"tls:\n  server:\n    mode: verify-full\n", "tls.server.mode", 7,
         "set tls.server.ca_file"},
        {"tls:\n  server:\n    mode: require\n    key_file: c.key\n", "tls.server.key_file", 8,
         "go together"},
        {"tls:\n  server:\n    protocols: tlsv2\n", "tls.server.protocols", 7,
         "expected secure, all"},
        {"tls:\n  server:\n    sslmode: require\n", "tls.server.sslmode", 7, "unknown key"},
        {"tls:\n  client: prefer\n", "tls.client", 6, "expected a mapping"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.yaml);
        auto r = load_tls(c.yaml);
        REQUIRE_FALSE(r.ok());
        const auto& e = r.errors.front();
        CAPTURE(describe(e, "pgfront.yaml"));
        CHECK(e.key == c.key);
        CHECK(e.line == c.line);
        CHECK(e.message.find(c.words) != std::string::npos);
    }
}
