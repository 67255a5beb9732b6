// Log lines carry what clients sent (user and database names, application names, server
// error texts): a name with a newline in it could forge a line of its own, and raw control
// bytes make the file look binary to grep. So each line's text is escaped as it is written.
#pragma once

#include <spdlog/pattern_formatter.h>

#include <string_view>

namespace pgfront::app {

// Appends `text` to `out` (the line spdlog is formatting) with control characters, DEL and
// bytes that are not valid UTF-8 written as \xNN; a backslash is doubled, so an escape
// cannot be forged either. Valid UTF-8 (a user "josé") stays as it is.
void append_escaped(std::string_view text, spdlog::memory_buf_t& out);

// The spdlog pattern flag %* : the message text, escaped as above.
class EscapedMessageFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& message, const std::tm& time, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::custom_flag_formatter> clone() const override;
};

}  // namespace pgfront::app
