// Log line escaping: what a client sends cannot forge a log line or make the file binary.
#include "app/log_line_escape.hpp"

#include <doctest/doctest.h>

#include <spdlog/details/log_msg.h>

#include <string>

using pgfront::app::append_escaped;

namespace {

std::string escaped(std::string_view text) {
    spdlog::memory_buf_t out;
    append_escaped(text, out);
    return std::string(out.data(), out.size());
}

}  // namespace

TEST_CASE("printable text and valid UTF-8 stay as they are") {
    CHECK(escaped("client refused id=7 user=app db=appdb") == "client refused id=7 user=app db=appdb");
    CHECK(escaped("user=jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98") == "user=jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98");
    CHECK(escaped("") == "");
}

TEST_CASE("a newline cannot start a forged line") {
    CHECK(escaped("user=evil\n2026-12-07 23:59:59.999 error FORGED") ==
          "user=evil\\x0a2026-12-07 23:59:59.999 error FORGED");
    CHECK(escaped("a\rb\tc\x1b[31m\x7f") == "a\\x0db\\x09c\\x1b[31m\\x7f");
    CHECK(escaped(std::string_view("nul\0here", 8)) == "nul\\x00here");
}

TEST_CASE("an escape cannot be forged either: backslashes are doubled") {
    CHECK(escaped("user=\\x0a") == "user=\\\\x0a");
}

TEST_CASE("bytes that are not valid UTF-8 are escaped one by one") {
    CHECK(escaped("\xff\x01") == "\\xff\\x01");
    CHECK(escaped("\xc3") == "\\xc3");                       // cut short at the end
    CHECK(escaped("\xc3(") == "\\xc3(");                     // continuation missing
    CHECK(escaped("\xc0\xaf") == "\\xc0\\xaf");              // overlong '/'
    CHECK(escaped("\xe0\x80\xaf") == "\\xe0\\x80\\xaf");     // overlong, three bytes
    CHECK(escaped("\xed\xa0\x80") == "\\xed\\xa0\\x80");     // a surrogate
    CHECK(escaped("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
    CHECK(escaped("\x80ok") == "\\x80ok");                   // a lone continuation byte
}

TEST_CASE("the %* flag writes the message escaped") {
    spdlog::pattern_formatter formatter;
    formatter.add_flag<pgfront::app::EscapedMessageFlag>('*').set_pattern("%l %*");
    const spdlog::details::log_msg message("pgfront", spdlog::level::info, "user=a\nb");
    spdlog::memory_buf_t out;
    formatter.format(message, out);
    CHECK(std::string(out.data(), out.size()) == "info user=a\\x0ab\n");
}
