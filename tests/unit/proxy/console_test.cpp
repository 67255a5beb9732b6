// The admin console's pure pieces: the command language (PgBouncer's, case-insensitive, an
// optional ';', quoted database names) and the SHOW tables built from a snapshot, checked
// column by column against PgBouncer 1.18's names and types and row by row against the
// snapshot, down to the bytes of the RowDescription.
#include <doctest/doctest.h>

#include "conf/config.hpp"
#include "protocol/frame_reader.hpp"
#include "protocol/simple_query.hpp"
#include "proxy/console_command.hpp"
#include "proxy/console_tables.hpp"

using namespace pgfront;
using proxy::ConsoleCommand;
using Kind = ConsoleCommand::Kind;

TEST_CASE("console commands: keywords in any case, an optional semicolon, database names kept") {
    auto c = proxy::parse_console_command("  show   pools ;");
    CHECK(c.kind == Kind::show);
    CHECK(c.argument == "POOLS");
    CHECK_FALSE(c.needs_admin());
    c = proxy::parse_console_command("Pause AppDB");
    CHECK(c.kind == Kind::pause);
    CHECK(c.argument == "AppDB");
    CHECK(c.needs_admin());
    c = proxy::parse_console_command("RESUME \"my db\";");
    CHECK(c.kind == Kind::resume);
    CHECK(c.argument == "my db");
    CHECK(proxy::parse_console_command("pause").argument.empty());
    CHECK(proxy::parse_console_command("reload").kind == Kind::reload);
    CHECK(proxy::parse_console_command("SHUTDOWN;").kind == Kind::shutdown);
    CHECK(proxy::parse_console_command("kill app").kind == Kind::kill);
}

TEST_CASE("console commands: what PgBouncer refuses is refused with its message") {
    for (const char* sql : {"select 1", "", ";", "SHOW", "SHOW a b", "KILL", "RELOAD now", "PAUSE a b",
                            "RESUME \"unclosed"}) {
        INFO(sql);
        const auto c = proxy::parse_console_command(sql);
        CHECK(c.kind == Kind::invalid);
        CHECK(c.error == std::string("invalid command '") + sql + "', use SHOW HELP;");
    }
}

namespace {

proxy::ProxySnapshot sample_snapshot() {
    proxy::ProxySnapshot s;
    proxy::PoolView primary;
    primary.role = proxy::ListenerRole::primary;
    primary.node = "pg1";
    primary.database = "app";
    primary.user = "web";
    primary.mode = conf::PoolMode::transaction;
    primary.servers_active = 2;
    primary.servers_idle = 3;
    primary.stats.transactions = 10;
    primary.stats.queries = 12;
    primary.stats.bytes_received = 100;
    primary.stats.transaction_seconds.observe(0.5);
    auto replica = primary;
    replica.role = proxy::ListenerRole::replica;
    replica.node = "pg2";
    replica.servers_active = 1;
    replica.servers_idle = 0;
    replica.servers_connecting = 1;
    replica.stats.transactions = 5;
    s.pools = {primary, replica};
    proxy::ClientView active;
    active.id = 7;
    active.database = "app";
    active.user = "web";
    active.state = proxy::ClientState::active;
    active.address = "10.1.2.3:5555";
    auto waiting = active;
    waiting.id = 8;
    waiting.state = proxy::ClientState::waiting;
    waiting.state_seconds = 2.25;
    s.clients = {active, waiting};
    s.uptime_seconds = 5;
    return s;
}

std::vector<std::string> names(const proxy::ConsoleTable& t) {
    std::vector<std::string> out;
    for (const auto& c : t.columns) out.push_back(c.name);
    return out;
}

}  // namespace

TEST_CASE("SHOW POOLS: PgBouncer 1.18's columns, pgfront's pools of a database and user added up") {
    const auto snapshot = sample_snapshot();
    const conf::Config config;
    const proxy::ConsoleFacts facts{snapshot, config, nullptr, "test", {}};
    const auto t = proxy::console_show("POOLS", facts);
    REQUIRE(t);
    CHECK(names(*t) == std::vector<std::string>{"database", "user", "cl_active", "cl_waiting", "cl_active_cancel_req",
                                                 "cl_waiting_cancel_req", "sv_active", "sv_active_cancel",
                                                 "sv_being_canceled", "sv_idle", "sv_used", "sv_tested", "sv_login",
                                                 "maxwait", "maxwait_us", "pool_mode"});
    CHECK(t->columns[0].type_oid == 25);
    CHECK(t->columns[2].type_oid == 23);
    REQUIRE(t->rows.size() == 1);
    const auto& r = t->rows[0];
    CHECK(*r[0] == "app");
    CHECK(*r[2] == "1");  // cl_active
    CHECK(*r[3] == "1");  // cl_waiting
    CHECK(*r[6] == "3");  // sv_active over both nodes
    CHECK(*r[9] == "3");  // sv_idle
    CHECK(*r[12] == "1");  // sv_login
    CHECK(*r[13] == "2");  // maxwait seconds
    CHECK(*r[14] == "250000");
    CHECK(*r[15] == "transaction");
}

TEST_CASE("SHOW STATS: totals as numeric, times in microseconds, averages per second of uptime") {
    const auto snapshot = sample_snapshot();
    const conf::Config config;
    const auto t = proxy::console_show("STATS", {snapshot, config, nullptr, "test", {}});
    REQUIRE(t);
    CHECK(t->columns.size() == 15);
    CHECK(t->columns[1].name == "total_xact_count");
    CHECK(t->columns[1].type_oid == 1700);
    REQUIRE(t->rows.size() == 1);
    CHECK(*t->rows[0][1] == "15");
    CHECK(*t->rows[0][2] == "24");  // 12 on each node
    CHECK(*t->rows[0][5] == "1000000");  // two observed 0.5 s transactions
    CHECK(*t->rows[0][8] == "3");        // 15 transactions / 5 s
}

TEST_CASE("unknown SHOW subjects are refused; every known table is written as messages") {
    const auto snapshot = sample_snapshot();
    const conf::Config config;
    const proxy::ConsoleFacts facts{snapshot, config, nullptr, "test", {}};
    CHECK_FALSE(proxy::console_show("NOPE", facts));
    for (const char* subject : {"POOLS", "STATS", "CLIENTS", "SERVERS", "DATABASES", "CONFIG", "VERSION", "LISTS", "USERS"}) {
        INFO(subject);
        const auto t = proxy::console_show(subject, facts);
        REQUIRE(t);
        for (const auto& row : t->rows) CHECK(row.size() == t->columns.size());
        protocol::ByteBuffer out;
        proxy::write_console_table(out, *t);
        auto frame = protocol::read_frame(out, protocol::Sender::backend, 1 << 20);
        REQUIRE(frame.is_frame());
        CHECK(frame.type == 'T');
        const auto description = protocol::RowDescription::parse(frame.payload);
        REQUIRE(description);
        std::size_t offset = frame.consumed, rows = 0;
        for (;;) {
            frame = protocol::read_frame(protocol::Bytes(out).subspan(offset), protocol::Sender::backend, 1 << 20);
            REQUIRE(frame.is_frame());
            offset += frame.consumed;
            if (frame.type != 'D') break;
            ++rows;
        }
        CHECK(frame.type == 'C');
        CHECK(rows == t->rows.size());
        CHECK(offset == out.size());
    }
}
