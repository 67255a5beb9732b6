// The access policy: the HBA list's first match decides, no match or reject refuses, the
// global method applies without a list, trust_users skip the password but not the list.
#include "auth/access_policy.hpp"

#include <doctest/doctest.h>

using namespace pgfront::auth;

namespace {

HbaRule rule(std::string_view database, std::string_view user, std::string_view address,
             std::string_view method) {
    auto r = parse_hba_rule({"host", database, user, address, method});
    REQUIRE(r);
    return r.value();
}

ConnectionFacts facts(std::string_view db, std::string_view user, std::string_view address) {
    return {false, db, user, *IpAddress::parse(address)};
}

}  // namespace

TEST_CASE("without rules everyone may try, with the global method") {
    AccessPolicy p;
    p.default_method = HbaMethod::md5;
    const auto d = decide_access(p, facts("appdb", "app", "10.1.2.3"));
    CHECK(d.verdict == AccessVerdict::allowed);
    CHECK(d.method == HbaMethod::md5);
}

TEST_CASE("the first matching rule decides; no match refuses") {
    AccessPolicy p;
    p.rules = {rule("appdb", "app", "127.0.0.1/32", "scram-sha-256"),
               rule("appdb", "app", "all", "reject"), rule("all", "report", "10.0.0.0/8", "md5"),
               rule("postgres", "all", "all", "reject")};
    CHECK(decide_access(p, facts("appdb", "app", "127.0.0.1")).method == HbaMethod::scram_sha_256);
    CHECK(decide_access(p, facts("appdb", "app", "127.0.0.2")).verdict == AccessVerdict::rejected);
    CHECK(decide_access(p, facts("otherdb", "report", "10.9.9.9")).method == HbaMethod::md5);
    CHECK(decide_access(p, facts("otherdb", "report", "11.0.0.1")).verdict ==
          AccessVerdict::no_matching_rule);
    CHECK(decide_access(p, facts("postgres", "report", "11.0.0.1")).verdict ==
          AccessVerdict::rejected);
}

TEST_CASE("trust_users log in without a password where the list lets them in") {
    AccessPolicy p;
    p.trust_users = {"monitor"};
    CHECK(decide_access(p, facts("appdb", "monitor", "127.0.0.1")).method == HbaMethod::trust);
    CHECK(decide_access(p, facts("appdb", "app", "127.0.0.1")).method == HbaMethod::scram_sha_256);
    p.rules = {rule("all", "all", "127.0.0.0/8", "scram-sha-256")};
    CHECK(decide_access(p, facts("appdb", "monitor", "127.0.0.1")).method == HbaMethod::trust);
    CHECK(decide_access(p, facts("appdb", "monitor", "192.168.1.1")).verdict ==
          AccessVerdict::no_matching_rule);
    p.rules.insert(p.rules.begin(), rule("all", "monitor", "all", "reject"));
    CHECK(decide_access(p, facts("appdb", "monitor", "127.0.0.1")).verdict ==
          AccessVerdict::rejected);
}

TEST_CASE("refusals read like PostgreSQL's") {
    const auto f = facts("appdb", "app", "10.0.0.1");
    CHECK(access_refusal_message(AccessVerdict::no_matching_rule, f) ==
          "no pg_hba.conf entry for host \"10.0.0.1\", user \"app\", database \"appdb\", no "
          "encryption");
    CHECK(access_refusal_message(AccessVerdict::rejected, f) ==
          "pg_hba.conf rejects connection for host \"10.0.0.1\", user \"app\", database \"appdb\", "
          "no encryption");
}
