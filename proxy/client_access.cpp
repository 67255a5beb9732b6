// Access policy from the config (see client_access.hpp).
#include "proxy/client_access.hpp"

namespace pgfront::proxy {

std::shared_ptr<const auth::AccessPolicy> access_policy_from(const conf::AuthConfig& config) {
    auto policy = std::make_shared<auth::AccessPolicy>();
    switch (config.type) {
        case conf::AuthType::scram_sha_256:
            policy->default_method = auth::HbaMethod::scram_sha_256;
            break;
        case conf::AuthType::md5:
            policy->default_method = auth::HbaMethod::md5;
            break;
        case conf::AuthType::trust:
            policy->default_method = auth::HbaMethod::trust;
            break;
    }
    for (const auto& entry : config.hba) {
        // The loader parsed every rule already and refused the file if one was wrong.
        auto rule = auth::parse_hba_rule(
            {entry.type, entry.database, entry.user, entry.address, entry.method});
        if (rule) policy->rules.push_back(std::move(rule).value());
    }
    policy->trust_users = config.trust_users;
    return policy;
}

auth::IpAddress client_address(const boost::asio::ip::tcp::socket& socket) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return {};
    const auto address = remote.address();
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        return auth::IpAddress::from_bytes(bytes).value_or(auth::IpAddress{});
    }
    const auto bytes = address.to_v6().to_bytes();
    return auth::IpAddress::from_bytes(bytes).value_or(auth::IpAddress{});
}

}  // namespace pgfront::proxy
