// Cross-field rules of the tls: section (see tls_validation.hpp). Whether the files can be
// read and hold what they should is checked where they are loaded (tls/tls_contexts.cpp).
#include "conf/tls_validation.hpp"

#include <string>

namespace pgfront::conf {

void validate_tls(const TlsConfig& tls, std::vector<ValidationProblem>& problems) {
    auto problem = [&](std::string key, std::string message) {
        problems.push_back({"tls." + std::move(key), std::move(message)});
    };
    const auto& client = tls.client;
    if (client.mode != TlsMode::disable) {
        // pgfront is the TLS server towards clients: it needs a certificate of its own.
        if (client.cert_file.empty())
            problem("client.mode", "tls.client.mode " + std::string(to_string(client.mode)) +
                                       " needs tls.client.cert_file and tls.client.key_file");
        else if (client.key_file.empty())
            problem("client.cert_file", "tls.client.key_file is required with cert_file");
    }
    if (verifies_peer(client.mode) && client.ca_file.empty())
        problem("client.mode", "tls.client.mode " + std::string(to_string(client.mode)) +
                                   " checks client certificates: set tls.client.ca_file");

    const auto& server = tls.server;
    if (verifies_peer(server.mode) && server.ca_file.empty())
        problem("server.mode", "tls.server.mode " + std::string(to_string(server.mode)) +
                                   " checks the servers' certificates: set tls.server.ca_file");
    if (server.cert_file.empty() != server.key_file.empty())
        problem(server.cert_file.empty() ? "server.key_file" : "server.cert_file",
                "tls.server.cert_file and tls.server.key_file go together (pgfront's client "
                "certificate)");
}

}  // namespace pgfront::conf
