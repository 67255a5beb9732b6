// The HBA allow list: rules by connection type, database, user and client network, each with
// an authentication method; the first matching rule decides, no match means reject — the
// subset of pg_hba.conf semantics pgfront supports. One rule is parsed from its fields (the
// config loader maps YAML to them).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/ip_network.hpp"
#include "auth/result.hpp"

namespace pgfront::auth {

enum class HbaConnectionType {
    host,       // any TCP connection
    hostssl,    // TCP with TLS
    hostnossl,  // TCP without TLS
};

enum class HbaMethod {
    trust,          // no password
    reject,         // refuse
    password,       // cleartext password
    md5,            // md5, or SCRAM when a SCRAM secret is stored (as PostgreSQL)
    scram_sha_256,  // SCRAM-SHA-256 only
};

std::string_view to_string(HbaConnectionType type);
std::string_view to_string(HbaMethod method);

// One database or user item: a name, or a keyword.
struct HbaNameItem {
    enum class Kind { name, all, sameuser };  // sameuser: databases only
    Kind kind = Kind::name;
    std::string name;  // Kind::name
    friend bool operator==(const HbaNameItem&, const HbaNameItem&) = default;
};

struct HbaRule {
    HbaConnectionType type = HbaConnectionType::host;
    std::vector<HbaNameItem> databases;  // matches if any item does
    std::vector<HbaNameItem> users;      // matches if any item does
    std::optional<IpNetwork> network;    // nullopt: "all"
    HbaMethod method = HbaMethod::reject;
};

// The raw fields of one rule, as written in the configuration.
//   type:     host | hostssl | hostnossl
//   database: comma list of names, `all`, `sameuser`
//   user:     comma list of names, `all`
//   address:  `all`, CIDR (IPv4 or IPv6), or one address
//   method:   scram-sha-256 | md5 | password | trust | reject
// Keywords are lowercase and exact, as in pg_hba.conf; a double-quoted item is always a name
// ("all" is the database called all) and may contain commas. Blanks around commas are
// ignored. pg_hba.conf features pgfront does not implement (local, samerole, replication,
// +group, @file, /regex, samehost, samenet, host names, other methods) are errors that say so.
struct HbaRuleFields {
    std::string_view type;
    std::string_view database;
    std::string_view user;
    std::string_view address;
    std::string_view method;
};

enum class HbaField { type, database, user, address, method };
std::string_view to_string(HbaField field);

struct HbaFieldError {
    HbaField field = HbaField::type;
    std::string message;
};

// Every field is checked; all errors are returned, each naming its field.
Result<HbaRule, std::vector<HbaFieldError>> parse_hba_rule(const HbaRuleFields& fields);

// What is known about a connection when its startup packet has arrived.
struct ConnectionFacts {
    bool ssl = false;
    std::string_view database;
    std::string_view user;
    IpAddress client_address;
};

bool matches(const HbaRule& rule, const ConnectionFacts& facts);
// The method of the first matching rule; nullopt when none matches (the caller rejects).
std::optional<HbaMethod> match(std::span<const HbaRule> rules, const ConnectionFacts& facts);

}  // namespace pgfront::auth
