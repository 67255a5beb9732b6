// The OpenSSL contexts built from the tls: section, one per leg. Built whole (every file
// read and checked) at start and on each reload, then swapped: a session takes the
// current snapshot when it starts and keeps it, so a reload never changes a live handshake.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "conf/tls_config.hpp"

namespace pgfront::tls {

struct TlsContexts {
    conf::TlsConfig config;
    // pgfront as the TLS server towards clients; null when tls.client.mode is disable.
    std::shared_ptr<boost::asio::ssl::context> client;
    // pgfront as the TLS client towards PostgreSQL; null when tls.server.mode is disable.
    std::shared_ptr<boost::asio::ssl::context> server;
    // One line per leg in use, for the log: mode, certificate subject, serial, expiry.
    std::vector<std::string> summary;
};

struct TlsContextsResult {
    std::shared_ptr<const TlsContexts> contexts;  // null when errors is not empty
    // "tls.client.cert_file: cannot load /etc/pgfront/server.crt: No such file or directory"
    std::vector<std::string> errors;
};

TlsContextsResult load_tls_contexts(const conf::TlsConfig& config);

}  // namespace pgfront::tls
