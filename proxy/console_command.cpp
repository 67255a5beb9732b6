// See console_command.hpp.
#include "proxy/console_command.hpp"

#include <cctype>
#include <vector>

namespace pgfront::proxy {
namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Words split on blanks; a double-quoted word keeps its blanks and loses its quotes ("" is a
// quote inside it). False when a quote is not closed.
bool split_words(std::string_view sql, std::vector<std::string>& words) {
    std::size_t i = 0;
    while (i < sql.size()) {
        while (i < sql.size() && blank(sql[i])) ++i;
        if (i >= sql.size()) break;
        std::string word;
        if (sql[i] == '"') {
            ++i;
            for (;;) {
                if (i >= sql.size()) return false;
                if (sql[i] == '"') {
                    if (i + 1 < sql.size() && sql[i + 1] == '"') {
                        word += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                word += sql[i++];
            }
        } else {
            while (i < sql.size() && !blank(sql[i])) word += sql[i++];
        }
        words.push_back(std::move(word));
    }
    return true;
}

}  // namespace

ConsoleCommand parse_console_command(std::string_view sql) {
    ConsoleCommand command;
    const std::string original(sql);
    command.error = "invalid command '" + original + "', use SHOW HELP;";
    while (!sql.empty() && (blank(sql.back()) || sql.back() == ';')) sql.remove_suffix(1);
    std::vector<std::string> words;
    if (!split_words(sql, words) || words.empty()) return command;
    const auto verb = upper(words[0]);
    using Kind = ConsoleCommand::Kind;
    if (verb == "SHOW") {
        if (words.size() != 2) return command;
        command.kind = Kind::show;
        command.argument = upper(words[1]);
        command.error.clear();
        return command;
    }
    const struct {
        const char* word;
        Kind kind;
        bool takes_database;
        bool needs_database;
    } verbs[] = {
        {"PAUSE", Kind::pause, true, false},   {"RESUME", Kind::resume, true, false},
        {"KILL", Kind::kill, true, true},      {"RELOAD", Kind::reload, false, false},
        {"SHUTDOWN", Kind::shutdown, false, false},
    };
    for (const auto& v : verbs) {
        if (verb != v.word) continue;
        if (words.size() > 2 || (words.size() == 2 && !v.takes_database) || (words.size() == 1 && v.needs_database))
            return command;
        command.kind = v.kind;
        if (words.size() == 2) command.argument = words[1];
        command.error.clear();
        return command;
    }
    return command;
}

}  // namespace pgfront::proxy
