// The admin console's commands (PgBouncer's console language, the part pgfront speaks):
// parsing one simple-query string into a command. Pure: no I/O.
#pragma once

#include <string>
#include <string_view>

namespace pgfront::proxy {

struct ConsoleCommand {
    enum class Kind { show, pause, resume, kill, reload, shutdown, invalid };
    Kind kind = Kind::invalid;
    std::string argument;  // SHOW's subject in upper case; PAUSE/RESUME/KILL's database ("" = all)
    std::string error;     // for invalid: PgBouncer's message

    // Only SHOW is open to stats users.
    bool needs_admin() const { return kind != Kind::show; }
};

// Case-insensitive keywords, blanks anywhere between words, an optional trailing ';'. A
// database name keeps its case (and may be double-quoted).
ConsoleCommand parse_console_command(std::string_view sql);

}  // namespace pgfront::proxy
