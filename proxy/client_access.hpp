// The access policy of the pooling modes, built from the auth: section (auth.type, auth.hba,
// auth.trust_users). Built once per configuration, not per login.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "auth/access_policy.hpp"
#include "conf/config.hpp"

namespace pgfront::proxy {

std::shared_ptr<const auth::AccessPolicy> access_policy_from(const conf::AuthConfig& config);

// The client's address as the allow list sees it (an IPv4-mapped IPv6 peer is its IPv4
// address); 0.0.0.0 when the socket no longer knows its peer.
auth::IpAddress client_address(const boost::asio::ip::tcp::socket& socket);

}  // namespace pgfront::proxy
