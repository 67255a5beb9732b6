// One rule of the auth.hba allow list as written in the configuration: pg_hba.conf's fields
// (auth/hba_rules.hpp parses and matches them). Kept as text so the config stays plain data.
#pragma once

#include <string>

namespace pgfront::conf {

struct HbaEntry {
    std::string type = "host";  // host | hostssl | hostnossl
    std::string database;       // comma list of names, all, sameuser
    std::string user;           // comma list of names, all
    std::string address;        // all, CIDR or one address
    std::string method;         // scram-sha-256 | md5 | password | trust | reject
    int line = 0;               // where the rule is, for messages
};

}  // namespace pgfront::conf
