// The admin console's SHOW answers, with PgBouncer 1.18's column names, order and types (so
// pgbouncer_exporter and scripts read them unchanged), built from pgfront's own state. Pure:
// snapshot in, table out; write_console_table turns a table into protocol messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conf/config.hpp"
#include "health/topology.hpp"
#include "protocol/bytes.hpp"
#include "proxy/proxy_snapshot.hpp"

namespace pgfront::proxy {

struct ConsoleColumn {
    std::string name;
    std::uint32_t type_oid;  // 25 text, 23 int4, 1700 numeric, as PgBouncer sends them
};

struct ConsoleTable {
    std::vector<ConsoleColumn> columns;
    std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt: NULL
};

struct ConsoleFacts {
    const ProxySnapshot& proxy;
    const conf::Config& config;
    const health::Topology* topology = nullptr;
    std::string version;                          // pgfront's
    std::chrono::system_clock::time_point now{};  // for connect_time / request_time
};

// The table for `SHOW subject` (subject in upper case), or nullopt for an unknown subject.
std::optional<ConsoleTable> console_show(const std::string& subject, const ConsoleFacts& facts);

// RowDescription, one DataRow per row, CommandComplete "SHOW".
void write_console_table(protocol::ByteBuffer& out, const ConsoleTable& table);

}  // namespace pgfront::proxy
