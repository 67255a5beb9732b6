// Which startup settings a pooled session keeps, and the SET statements that bring a server
// connection in line with a client.
#include <doctest/doctest.h>

#include "pool/session_parameters.hpp"

using namespace pgfront::pool;

TEST_CASE("reported parameters are recognized under any case and get their canonical names") {
    CHECK(synced_reported_name("timezone") == "TimeZone");
    CHECK(synced_reported_name("DATESTYLE") == "DateStyle");
    CHECK(synced_reported_name("application_name") == "application_name");
    CHECK_FALSE(synced_reported_name("server_version"));
    CHECK_FALSE(synced_reported_name("is_superuser"));
    CHECK_FALSE(synced_reported_name("extra_float_digits"));
}

TEST_CASE("startup settings: reported, other, options; user and database are not settings") {
    const auto settings = startup_settings({{"user", "app"},
                                            {"database", "appdb"},
                                            {"TimeZone", "UTC"},
                                            {"application_name", "psql"},
                                            {"extra_float_digits", "3"},
                                            {"options", "-c search_path=app,public --statement-timeout=5s -cwork_mem=8MB"}});
    CHECK_FALSE(settings.error);
    CHECK(value_of(settings.wanted.reported, "TimeZone") == "UTC");
    CHECK(value_of(settings.wanted.reported, "application_name") == "psql");
    CHECK(value_of(settings.wanted.other, "extra_float_digits") == "3");
    CHECK(value_of(settings.wanted.other, "search_path") == "app,public");
    CHECK(value_of(settings.wanted.other, "statement_timeout") == "5s");
    CHECK(value_of(settings.wanted.other, "work_mem") == "8MB");
    CHECK_FALSE(value_of(settings.wanted.other, "user"));
}

TEST_CASE("startup settings pgfront can't honour are refused with a reason") {
    CHECK(startup_settings({{"replication", "database"}}).error);
    CHECK_FALSE(startup_settings({{"replication", "false"}}).error);
    CHECK(startup_settings({{"options", "-X"}}).error);
    CHECK(startup_settings({{"bad name; DROP TABLE x", "1"}}).error);
    CHECK(startup_settings({{"options", "-c a;b=1"}}).error);
}

TEST_CASE("sync statements set what differs and reset what the client never asked for") {
    SessionParameters wanted;
    set_value(wanted.reported, "TimeZone", "Europe/Paris");
    set_value(wanted.reported, "DateStyle", "ISO, MDY");
    set_value(wanted.other, "extra_float_digits", "3");
    SessionParameters server;
    set_value(server.reported, "TimeZone", "UTC");
    set_value(server.reported, "DateStyle", "ISO, MDY");
    set_value(server.other, "work_mem", "64MB");
    CHECK(sync_statements(wanted, server) ==
          "SET TimeZone = E'Europe/Paris';SET extra_float_digits = E'3';RESET work_mem;");
    CHECK(sync_statements(wanted, wanted).empty());
}

TEST_CASE("values are quoted so that no value can end the literal") {
    SessionParameters wanted;
    set_value(wanted.reported, "application_name", "it's a \\ test");
    CHECK(sync_statements(wanted, {}) == "SET application_name = E'it''s a \\\\ test';");
}

TEST_CASE("a login on a server of its own starts from a new session's values, not the last client's") {
    const Parameters at_login = {{"application_name", ""},   {"DateStyle", "ISO, MDY"},
                                 {"TimeZone", "Etc/UTC"},    {"default_transaction_read_only", "off"},
                                 {"server_version", "15.8"}, {"client_encoding", "UTF8"}};
    // An earlier client SET these on the server; this client's startup packet gave TimeZone.
    const Parameters server_now = {{"application_name", "earlier"}, {"DateStyle", "German, DMY"},
                                   {"TimeZone", "UTC"},             {"default_transaction_read_only", "on"},
                                   {"server_version", "15.8"},      {"client_encoding", "UTF8"}};
    const auto start = session_start_values(at_login, {{"TimeZone", "utc"}}, server_now);
    CHECK(start == Parameters{{"application_name", ""},
                              {"DateStyle", "ISO, MDY"},
                              {"TimeZone", "UTC"},  // the client's setting, as the server spells it
                              {"default_transaction_read_only", "off"},
                              {"client_encoding", "UTF8"}});
    SUBCASE("the startup setting wins over the login value even when they are equal") {
        CHECK(value_of(session_start_values(at_login, {{"DateStyle", "German"}}, server_now), "DateStyle") ==
              "German, DMY");
    }
    SUBCASE("a setting the pool's logins never reported keeps the server's value") {
        const auto started = session_start_values({}, {}, server_now);
        CHECK(value_of(started, "DateStyle") == "German, DMY");
        CHECK_FALSE(value_of(started, "server_version"));
    }
    SUBCASE("with nothing left behind, nothing changes") {
        for (const auto& [name, value] : session_start_values(at_login, {}, at_login))
            CHECK(value_of(at_login, name) == value);
    }
}

TEST_CASE("a login is welcomed from the pool's server values when the client's settings need no server") {
    const Parameters server = {{"application_name", ""},      {"client_encoding", "UTF8"},
                               {"DateStyle", "ISO, MDY"},     {"server_version", "15.8"},
                               {"TimeZone", "Etc/UTC"},       {"is_superuser", "off"}};
    SUBCASE("no settings: the server's values, in the server's order") {
        CHECK(welcome_parameters(server, {}) == server);
    }
    SUBCASE("an application_name is reported as given, a value equal to the server's as it is") {
        const auto welcome = welcome_parameters(server, {{"application_name", "pgbench"}, {"client_encoding", "UTF8"}});
        REQUIRE(welcome);
        CHECK(welcome->size() == server.size());
        CHECK(value_of(*welcome, "application_name") == "pgbench");
        CHECK(value_of(*welcome, "client_encoding") == "UTF8");
        CHECK(value_of(*welcome, "TimeZone") == "Etc/UTC");
    }
    SUBCASE("a value PostgreSQL may spell otherwise needs a server") {
        CHECK_FALSE(welcome_parameters(server, {{"TimeZone", "utc"}}));
        CHECK_FALSE(welcome_parameters(server, {{"DateStyle", "ISO"}}));
        CHECK_FALSE(welcome_parameters(server, {{"client_encoding", "utf8"}}));
    }
    SUBCASE("an application_name PostgreSQL would clean or cut needs a server") {
        CHECK(welcome_parameters(server, {{"application_name", std::string(63, 'a')}}));
        CHECK_FALSE(welcome_parameters(server, {{"application_name", std::string(64, 'a')}}));
        CHECK_FALSE(welcome_parameters(server, {{"application_name", "caf\xc3\xa9"}}));
        CHECK_FALSE(welcome_parameters(server, {{"application_name", "tab\there"}}));
        CHECK_FALSE(welcome_parameters(server, {{"application_name", "del\x7f"}}));
        CHECK(welcome_parameters(server, {{"application_name", " ~"}}));
    }
    SUBCASE("a setting the server did not report needs a server") {
        CHECK_FALSE(welcome_parameters(server, {{"IntervalStyle", "postgres"}}));
    }
}
