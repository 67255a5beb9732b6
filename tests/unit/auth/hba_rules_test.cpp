// Tests for auth/hba_rules: parsing one rule from its fields (keywords, lists, quoting, every
// error) and first-match evaluation over tables of connections.
#include "auth/hba_rules.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pgfront::auth;

namespace {

HbaRule rule(std::string_view type, std::string_view database, std::string_view user,
             std::string_view address, std::string_view method) {
    auto r = parse_hba_rule({type, database, user, address, method});
    if (!r) {
        for (const auto& e : r.error()) MESSAGE(to_string(e.field), ": ", e.message);
    }
    REQUIRE(r);
    return r.value();
}

std::vector<HbaFieldError> errors(std::string_view type, std::string_view database,
                                  std::string_view user, std::string_view address,
                                  std::string_view method) {
    auto r = parse_hba_rule({type, database, user, address, method});
    REQUIRE_FALSE(r);
    return r.error();
}

ConnectionFacts facts(std::string_view db, std::string_view user, std::string_view address,
                      bool ssl = false) {
    return {ssl, db, user, *IpAddress::parse(address)};
}

}  // namespace

TEST_CASE("parse: keywords, names, lists") {
    HbaRule r = rule("host", "all", "all", "all", "scram-sha-256");
    CHECK(r.type == HbaConnectionType::host);
    REQUIRE(r.databases.size() == 1);
    CHECK(r.databases[0].kind == HbaNameItem::Kind::all);
    CHECK(r.users[0].kind == HbaNameItem::Kind::all);
    CHECK_FALSE(r.network);
    CHECK(r.method == HbaMethod::scram_sha_256);

    r = rule("hostssl", "app, reports ,sameuser", "alice,bob", "10.0.0.0/8", "md5");
    CHECK(r.type == HbaConnectionType::hostssl);
    REQUIRE(r.databases.size() == 3);
    CHECK(r.databases[0] == HbaNameItem{HbaNameItem::Kind::name, "app"});
    CHECK(r.databases[1] == HbaNameItem{HbaNameItem::Kind::name, "reports"});
    CHECK(r.databases[2].kind == HbaNameItem::Kind::sameuser);
    REQUIRE(r.users.size() == 2);
    CHECK(r.users[1].name == "bob");
    REQUIRE(r.network);
    CHECK(r.network->to_string() == "10.0.0.0/8");

    for (const auto& [text, method] :
         std::vector<std::pair<std::string_view, HbaMethod>>{{"trust", HbaMethod::trust},
                                                             {"reject", HbaMethod::reject},
                                                             {"password", HbaMethod::password},
                                                             {"md5", HbaMethod::md5}}) {
        CHECK(rule("hostnossl", "db", "u", "::1/128", text).method == method);
        CHECK(to_string(method) == text);
    }
}

TEST_CASE("parse: quoted items are names, may hold commas, and keywords are exact") {
    HbaRule r = rule("host", "\"all\",\"a,b\"", "\"sameuser\",\"+x\"", "all", "trust");
    REQUIRE(r.databases.size() == 2);
    CHECK(r.databases[0] == HbaNameItem{HbaNameItem::Kind::name, "all"});
    CHECK(r.databases[1] == HbaNameItem{HbaNameItem::Kind::name, "a,b"});
    CHECK(r.users[0] == HbaNameItem{HbaNameItem::Kind::name, "sameuser"});
    CHECK(r.users[1] == HbaNameItem{HbaNameItem::Kind::name, "+x"});

    r = rule("host", "ALL", "All", "all", "trust");  // uppercase: names, as in pg_hba.conf
    CHECK(r.databases[0] == HbaNameItem{HbaNameItem::Kind::name, "ALL"});
    CHECK(r.users[0] == HbaNameItem{HbaNameItem::Kind::name, "All"});
    // "sameuser" in the user column is just a name.
    CHECK(rule("host", "db", "sameuser", "all", "trust").users[0].kind == HbaNameItem::Kind::name);
}

TEST_CASE("parse: every field's errors, all at once") {
    const auto e = errors("local", "", "", "samenet", "cert");
    REQUIRE(e.size() == 5);
    CHECK(e[0].field == HbaField::type);
    CHECK(e[0].message.find("host, hostssl, hostnossl") != std::string::npos);
    CHECK(e[1].field == HbaField::database);
    CHECK(e[1].message == "must not be empty");
    CHECK(e[2].field == HbaField::user);
    CHECK(e[3].field == HbaField::address);
    CHECK(e[3].message.find("not supported") != std::string::npos);
    CHECK(e[4].field == HbaField::method);
    CHECK(e[4].message.find("scram-sha-256, md5, password, trust, reject") != std::string::npos);
}

TEST_CASE("parse: unsupported pg_hba.conf features and broken lists") {
    const std::pair<HbaRuleFields, std::string_view> cases[] = {
        {{"host", "replication", "u", "all", "md5"}, "\"replication\" is not supported"},
        {{"host", "samerole", "u", "all", "md5"}, "\"samerole\" is not supported"},
        {{"host", "@dbs.txt", "u", "all", "md5"}, "@file"},
        {{"host", "/^db", "u", "all", "md5"}, "regular expressions"},
        {{"host", "db", "+admins", "all", "md5"}, "+group"},
        {{"host", "db", "@users", "all", "md5"}, "@file"},
        {{"host", "a,,b", "u", "all", "md5"}, "empty item"},
        {{"host", "a,", "u", "all", "md5"}, "empty item"},
        {{"host", ",a", "u", "all", "md5"}, "empty item"},
        {{"host", "\"a", "u", "all", "md5"}, "unterminated quote"},
        {{"host", "\"a\"b", "u", "all", "md5"}, "after a quoted name"},
        {{"host", "a\"b\"", "u", "all", "md5"}, "whole item"},
        {{"host", "\"\"", "u", "all", "md5"}, "empty name"},
        {{"host", "db", "u", "10.0.0.1/8", "md5"}, "bits set"},
        {{"host", "db", "u", "db.example.com", "md5"}, "host names are not supported"},
        {{"host", "db", "u", "all", "MD5"}, "not a supported method"},
        {{"HOST", "db", "u", "all", "md5"}, "not a supported connection type"},
        {{"hostgssenc", "db", "u", "all", "md5"}, "not a supported connection type"},
    };
    for (const auto& [fields, why] : cases) {
        CAPTURE(fields.database);
        CAPTURE(fields.user);
        CAPTURE(fields.address);
        auto r = parse_hba_rule(fields);
        REQUIRE_FALSE(r);
        REQUIRE(r.error().size() == 1);
        CHECK(r.error()[0].message.find(why) != std::string::npos);
    }
}

TEST_CASE("match: first matching rule wins, no match means nullopt") {
    const std::vector<HbaRule> rules = {
        rule("host", "all", "blocked", "all", "reject"),
        rule("hostssl", "all", "all", "0.0.0.0/0", "scram-sha-256"),
        rule("host", "app,reports", "alice,bob", "10.0.0.0/8", "md5"),
        rule("host", "sameuser", "all", "192.168.0.0/16", "password"),
        rule("host", "all", "monitor", "127.0.0.1/32", "trust"),
        rule("host", "all", "all", "2001:db8::/32", "scram-sha-256"),
        rule("hostnossl", "legacy", "all", "all", "md5"),
    };
    struct Row {
        ConnectionFacts facts;
        std::optional<HbaMethod> expected;
    };
    const Row table[] = {
        {facts("app", "blocked", "10.0.0.1", true), HbaMethod::reject},
        {facts("app", "alice", "10.0.0.1", true), HbaMethod::scram_sha_256},
        {facts("app", "alice", "10.0.0.1"), HbaMethod::md5},
        {facts("reports", "bob", "10.255.255.255"), HbaMethod::md5},
        {facts("app", "carol", "10.0.0.1"), std::nullopt},
        {facts("other", "alice", "10.0.0.1"), std::nullopt},
        {facts("app", "alice", "11.0.0.0"), std::nullopt},
        {facts("carol", "carol", "192.168.1.1"), HbaMethod::password},
        {facts("app", "carol", "192.168.1.1"), std::nullopt},
        {facts("x", "monitor", "127.0.0.1"), HbaMethod::trust},
        {facts("x", "monitor", "127.0.0.2"), std::nullopt},
        {facts("x", "y", "2001:db8:ffff::1"), HbaMethod::scram_sha_256},
        {facts("x", "y", "2001:db9::1"), std::nullopt},
        {facts("legacy", "y", "8.8.8.8"), HbaMethod::md5},
        {facts("legacy", "y", "8.8.8.8", true), HbaMethod::scram_sha_256},
        {facts("legacy", "y", "2001:db9::1", true), std::nullopt},   // hostssl rule is IPv4 only
        {facts("app", "alice", "::ffff:10.1.1.1"), HbaMethod::md5},  // dual-stack IPv4 client
    };
    for (const Row& row : table) {
        CAPTURE(row.facts.database);
        CAPTURE(row.facts.user);
        CAPTURE(row.facts.client_address.to_string());
        CAPTURE(row.facts.ssl);
        CHECK(match(rules, row.facts) == row.expected);
    }
}

TEST_CASE("match: an empty rule list rejects everyone") {
    CHECK_FALSE(match({}, facts("db", "u", "127.0.0.1")));
}

TEST_CASE("matches: names are exact and case-sensitive") {
    const HbaRule r = rule("host", "App", "Alice", "all", "md5");
    CHECK(matches(r, facts("App", "Alice", "127.0.0.1")));
    CHECK_FALSE(matches(r, facts("app", "Alice", "127.0.0.1")));
    CHECK_FALSE(matches(r, facts("App", "alice", "127.0.0.1")));
    CHECK_FALSE(matches(r, facts("App ", "Alice", "127.0.0.1")));
}
