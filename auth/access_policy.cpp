// Access decisions (see access_policy.hpp).
#include "auth/access_policy.hpp"

#include <algorithm>

namespace pgfront::auth {

AccessDecision decide_access(const AccessPolicy& policy, const ConnectionFacts& facts) {
    AccessDecision decision;
    if (policy.rules.empty()) {
        decision.method = policy.default_method;
    } else {
        const auto method = match(policy.rules, facts);
        if (!method) return {AccessVerdict::no_matching_rule, HbaMethod::reject};
        decision.method = *method;
    }
    if (decision.method == HbaMethod::reject) return {AccessVerdict::rejected, HbaMethod::reject};
    const auto& trusted = policy.trust_users;
    if (std::find(trusted.begin(), trusted.end(), facts.user) != trusted.end())
        decision.method = HbaMethod::trust;
    return decision;
}

std::string access_refusal_message(AccessVerdict verdict, const ConnectionFacts& facts) {
    std::string message = verdict == AccessVerdict::rejected
                              ? "pg_hba.conf rejects connection for host \""
                              : "no pg_hba.conf entry for host \"";
    message += facts.client_address.to_string();
    message += "\", user \"";
    message += facts.user;
    message += "\", database \"";
    message += facts.database;
    message += facts.ssl ? "\", SSL encryption" : "\", no encryption";
    return message;
}

}  // namespace pgfront::auth
