// Building the OpenSSL contexts (see tls_contexts.hpp). Settings follow PostgreSQL's own
// server where it has an opinion: no session cache or tickets, client CAs announced from
// ca_file, and only the configured protocol versions.
#include "tls/tls_contexts.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace pgfront::tls {
namespace ssl = boost::asio::ssl;

namespace {

class Builder {
  public:
    Builder(std::string prefix, std::vector<std::string>& errors)
        : prefix_(std::move(prefix)), errors_(errors) {}

    void error(const std::string& key, const std::string& message) {
        errors_.push_back(prefix_ + key + ": " + message);
    }

    std::shared_ptr<ssl::context> make(const conf::TlsSideConfig& side, bool server_role) {
        auto context = std::make_shared<ssl::context>(server_role ? ssl::context::tls_server
                                                                  : ssl::context::tls_client);
        auto* handle = context->native_handle();
        const auto before = errors_.size();
        context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::single_dh_use);
        limit_protocols(handle, side.protocols);
        // Each connection is one long session: resumption buys nothing, and tickets would
        // need key rotation of their own.
        SSL_CTX_set_session_cache_mode(handle, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(handle, SSL_OP_NO_TICKET);
        if (!side.ciphers.empty() && SSL_CTX_set_cipher_list(handle, side.ciphers.c_str()) != 1)
            error("ciphers", "OpenSSL accepts none of '" + side.ciphers + "'");

        boost::system::error_code ec;
        if (!side.cert_file.empty()) {
            context->use_certificate_chain_file(side.cert_file, ec);
            if (ec) error("cert_file", "cannot load " + side.cert_file + ": " + ec.message());
            context->use_private_key_file(side.key_file, ssl::context::pem, ec);
            if (ec)
                error("key_file", "cannot load " + side.key_file + ": " + ec.message());
            else if (SSL_CTX_check_private_key(handle) != 1)
                error("key_file",
                      side.key_file + " does not belong to the certificate in " + side.cert_file);
        }
        if (!side.ca_file.empty()) {
            context->load_verify_file(side.ca_file, ec);
            if (ec) error("ca_file", "cannot load " + side.ca_file + ": " + ec.message());
        }
        if (conf::verifies_peer(side.mode)) {
            auto mode = ssl::verify_peer;
            if (server_role) {
                mode |= ssl::verify_fail_if_no_peer_cert;
                // Tells clients which CAs their certificate must come from.
                if (auto* names = SSL_load_client_CA_file(side.ca_file.c_str()))
                    SSL_CTX_set_client_CA_list(handle, names);
                static const unsigned char id[] = "pgfront";
                SSL_CTX_set_session_id_context(handle, id, sizeof id - 1);
            }
            context->set_verify_mode(mode);
        } else {
            context->set_verify_mode(ssl::verify_none);
        }
        ERR_clear_error();
        if (errors_.size() != before) return nullptr;
        return context;
    }

    static std::string describe(const std::string& leg, const conf::TlsSideConfig& side,
                                ssl::context& context) {
        std::string text = leg + ": mode=" + std::string(conf::to_string(side.mode));
        X509* cert = SSL_CTX_get0_certificate(context.native_handle());
        if (!cert) return text;
        char subject[256];
        X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
        text += " certificate=" + std::string(subject);
        if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
            if (char* hex = BN_bn2hex(bn)) {
                text += " serial=" + std::string(hex);
                OPENSSL_free(hex);
            }
            BN_free(bn);
        }
        if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0) text += " EXPIRED";
        return text;
    }

  private:
    static void limit_protocols(SSL_CTX* handle, std::uint8_t allowed) {
        // Set the range, then the holes inside it (a list such as "tlsv1.0,tlsv1.2").
        const int versions[] = {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION};
        const unsigned long holes[] = {SSL_OP_NO_TLSv1, SSL_OP_NO_TLSv1_1, SSL_OP_NO_TLSv1_2,
                                       SSL_OP_NO_TLSv1_3};
        int lowest = -1, highest = -1;
        for (int i = 0; i < 4; ++i)
            if (allowed & (1u << i)) {
                if (lowest < 0) lowest = i;
                highest = i;
            }
        if (lowest < 0) return;
        SSL_CTX_set_min_proto_version(handle, versions[lowest]);
        SSL_CTX_set_max_proto_version(handle, versions[highest]);
        for (int i = lowest; i <= highest; ++i)
            if (!(allowed & (1u << i))) SSL_CTX_set_options(handle, holes[i]);
    }

    std::string prefix_;
    std::vector<std::string>& errors_;
};

}  // namespace

TlsContextsResult load_tls_contexts(const conf::TlsConfig& config) {
    TlsContextsResult result;
    auto contexts = std::make_shared<TlsContexts>();
    contexts->config = config;
    if (config.client.mode != conf::TlsMode::disable) {
        Builder builder("tls.client.", result.errors);
        contexts->client = builder.make(config.client, true);
        if (contexts->client)
            contexts->summary.push_back(
                Builder::describe("tls.client", config.client, *contexts->client));
    }
    if (config.server.mode != conf::TlsMode::disable) {
        Builder builder("tls.server.", result.errors);
        contexts->server = builder.make(config.server, false);
        if (contexts->server)
            contexts->summary.push_back(
                Builder::describe("tls.server", config.server, *contexts->server));
    }
    if (result.errors.empty()) result.contexts = std::move(contexts);
    return result;
}

}  // namespace pgfront::tls
