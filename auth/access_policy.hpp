// Who may log in, and how: the auth.hba allow list (first matching rule decides; no match
// refuses, as pg_hba.conf does), the global auth.type when there is no list, and
// auth.trust_users, who log in without a password wherever a rule lets them in at all.
// Pure: the session asks with what it knows after the startup packet.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "auth/hba_rules.hpp"

namespace pgfront::auth {

struct AccessPolicy {
    std::vector<HbaRule> rules;                           // empty: no allow list
    HbaMethod default_method = HbaMethod::scram_sha_256;  // auth.type, when `rules` is empty
    std::vector<std::string> trust_users;
};

enum class AccessVerdict {
    allowed,           // go on with `method`
    no_matching_rule,  // 28000, "no pg_hba.conf entry for ..."
    rejected,          // 28000, the matching rule says reject
};

struct AccessDecision {
    AccessVerdict verdict = AccessVerdict::allowed;
    HbaMethod method = HbaMethod::reject;
};

AccessDecision decide_access(const AccessPolicy& policy, const ConnectionFacts& facts);

// PostgreSQL's wording for a refusal (auth.c, ClientAuthentication), e.g.
// `no pg_hba.conf entry for host "10.0.0.1", user "app", database "appdb", no encryption`.
std::string access_refusal_message(AccessVerdict verdict, const ConnectionFacts& facts);

}  // namespace pgfront::auth
