// See session_parameters.hpp.
#include "pool/session_parameters.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace pgfront::pool {
namespace {

bool equal_ci(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// PostgreSQL 15's GUC_REPORT parameters a session can SET. The others it reports
// (server_version, server_encoding, integer_datetimes, is_superuser, session_authorization,
// in_hot_standby) describe the server or the login and are never sent as settings.
constexpr std::array<std::string_view, 7> synced_names = {
    "application_name", "client_encoding",          "DateStyle", "default_transaction_read_only",
    "IntervalStyle",    "standard_conforming_strings", "TimeZone",
};

// Names that are not settings, or that only make sense for the connection pgfront made.
constexpr std::array<std::string_view, 5> not_settings = {"user", "database", "options", "replication",
                                                          "_pq_.dummy"};

bool is_plain_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
    });
}

// A value as an E'' literal: safe whatever standard_conforming_strings says.
std::string literal(std::string_view value) {
    std::string out = "E'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') out.push_back(c);
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

// libpq's `options`: space-separated command-line switches, backslash escaping a space or
// a backslash. Only "-c name=value", "-cname=value" and "--name=value" set parameters.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_options(std::string_view options) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < options.size(); ++i) {
        const char c = options[i];
        if (c == '\\' && i + 1 < options.size()) {
            word.push_back(options[++i]);
            in_word = true;
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word.push_back(c);
            in_word = true;
        }
    }
    if (in_word) words.push_back(std::move(word));

    std::vector<std::pair<std::string, std::string>> settings;
    for (std::size_t i = 0; i < words.size(); ++i) {
        std::string_view item = words[i];
        if (item == "-c") {
            if (++i == words.size()) return std::nullopt;
            item = words[i];
        } else if (item.starts_with("-c")) {
            item.remove_prefix(2);
        } else if (item.starts_with("--")) {
            item.remove_prefix(2);
        } else {
            return std::nullopt;
        }
        const auto eq = item.find('=');
        if (eq == std::string_view::npos || eq == 0) return std::nullopt;
        std::string name(item.substr(0, eq));
        std::replace(name.begin(), name.end(), '-', '_');  // "--work-mem=..." means work_mem
        settings.emplace_back(std::move(name), std::string(item.substr(eq + 1)));
    }
    return settings;
}

void add_setting(SessionParameters& wanted, std::string_view name, std::string_view value) {
    if (const auto reported = synced_reported_name(name))
        set_value(wanted.reported, *reported, value);
    else
        set_value(wanted.other, name, value);
}

}  // namespace

std::optional<std::string_view> value_of(const Parameters& parameters, std::string_view name) {
    for (const auto& [n, v] : parameters)
        if (n == name) return v;
    return std::nullopt;
}

void set_value(Parameters& parameters, std::string_view name, std::string_view value) {
    for (auto& [n, v] : parameters) {
        if (n == name) {
            v = std::string(value);
            return;
        }
    }
    parameters.emplace_back(std::string(name), std::string(value));
}

void remove_value(Parameters& parameters, std::string_view name) {
    std::erase_if(parameters, [&](const auto& entry) { return entry.first == name; });
}

std::optional<std::string_view> synced_reported_name(std::string_view name) {
    for (const auto canonical : synced_names)
        if (equal_ci(canonical, name)) return canonical;
    return std::nullopt;
}

std::optional<Parameters> welcome_parameters(const Parameters& server, const Parameters& wanted_reported) {
    // PostgreSQL 15 truncates application_name to NAMEDATALEN - 1 bytes and turns any byte
    // outside printable ASCII into '?' (pg_clean_ascii): a value within both is reported as is.
    constexpr std::size_t namedatalen = 64;
    const auto kept_as_given = [](std::string_view name, std::string_view value) {
        return name == "application_name" && value.size() < namedatalen &&
               std::all_of(value.begin(), value.end(), [](char c) { return c >= 32 && c <= 126; });
    };
    Parameters welcome = server;
    for (const auto& [name, value] : wanted_reported) {
        const auto current = value_of(server, name);
        if (!current) return std::nullopt;
        if (*current == value) continue;
        if (!kept_as_given(name, value)) return std::nullopt;
        set_value(welcome, name, value);
    }
    return welcome;
}

StartupSettings startup_settings(const std::vector<std::pair<std::string_view, std::string_view>>& startup) {
    StartupSettings result;
    for (const auto& [name, value] : startup) {
        if (name == "replication") {
            if (!equal_ci(value, "false") && !equal_ci(value, "off") && value != "0")
                result.error = "replication connections are not supported by pgfront's pooling modes";
            continue;
        }
        if (name == "options") {
            const auto settings = parse_options(value);
            if (!settings) {
                result.error = "unsupported options in startup packet: only -c name=value is accepted";
                continue;
            }
            for (const auto& [n, v] : *settings) {
                if (!is_plain_name(n)) {
                    result.error = "invalid configuration parameter name \"" + n + "\"";
                    continue;
                }
                add_setting(result.wanted, n, v);
            }
            continue;
        }
        if (std::find(not_settings.begin(), not_settings.end(), name) != not_settings.end()) continue;
        if (name.starts_with("_pq_.")) continue;  // protocol options, answered elsewhere
        if (!is_plain_name(name)) {
            result.error = "invalid configuration parameter name \"" + std::string(name) + "\"";
            continue;
        }
        add_setting(result.wanted, name, value);
    }
    return result;
}

Parameters session_start_values(const Parameters& at_login, const Parameters& startup_reported,
                                const Parameters& server_now) {
    Parameters start;
    for (const auto& [name, value] : server_now) {
        if (synced_reported_name(name) != name) continue;
        const auto fresh = value_of(at_login, name);
        set_value(start, name, value_of(startup_reported, name) || !fresh ? value : *fresh);
    }
    return start;
}

std::string sync_statements(const Parameters& wanted_reported, const Parameters& wanted_other,
                            const Parameters& server_reported, const Parameters& server_other) {
    std::string sql;
    const auto set = [&](std::string_view name, std::string_view value) {
        sql += "SET ";
        sql += name;
        sql += " = ";
        sql += literal(value);
        sql += ';';
    };
    for (const auto& [name, value] : wanted_reported) {
        const auto current = value_of(server_reported, name);
        if (!current || *current != value) set(name, value);
    }
    for (const auto& [name, value] : wanted_other) {
        const auto current = value_of(server_other, name);
        if (!current || *current != value) set(name, value);
    }
    for (const auto& [name, value] : server_other) {
        if (value_of(wanted_other, name)) continue;
        sql += "RESET ";
        sql += name;
        sql += ';';
    }
    return sql;
}

}  // namespace pgfront::pool
