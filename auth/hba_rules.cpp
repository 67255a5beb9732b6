// HBA rule parsing from fields and first-match evaluation.
#include "auth/hba_rules.hpp"

#include <array>
#include <utility>

namespace pgfront::auth {

namespace {

constexpr std::array<std::pair<std::string_view, HbaConnectionType>, 3> kTypes{{
    {"host", HbaConnectionType::host},
    {"hostssl", HbaConnectionType::hostssl},
    {"hostnossl", HbaConnectionType::hostnossl},
}};

constexpr std::array<std::pair<std::string_view, HbaMethod>, 5> kMethods{{
    {"scram-sha-256", HbaMethod::scram_sha_256},
    {"md5", HbaMethod::md5},
    {"password", HbaMethod::password},
    {"trust", HbaMethod::trust},
    {"reject", HbaMethod::reject},
}};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

struct RawItem {
    std::string text;
    bool quoted = false;
};

// Splits a comma list; a double-quoted item may hold commas. Errors: empty items, an
// unterminated quote, text glued to a quoted item.
Result<std::vector<RawItem>, std::string> split_list(std::string_view text) {
    std::vector<RawItem> items;
    std::size_t i = 0;
    while (true) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
        RawItem item;
        if (i < text.size() && text[i] == '"') {
            const auto close = text.find('"', i + 1);
            if (close == std::string_view::npos) return std::string("unterminated quote");
            item.text = text.substr(i + 1, close - i - 1);
            item.quoted = true;
            i = close + 1;
            while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
            if (i < text.size() && text[i] != ',') {
                return std::string("unexpected text after a quoted name");
            }
            if (item.text.empty()) return std::string("empty name in list");
        } else {
            const auto comma = text.find(',', i);
            const std::string_view raw = trim(text.substr(
                i, comma == std::string_view::npos ? std::string_view::npos : comma - i));
            if (raw.empty()) {
                return std::string(trim(text).empty() ? "must not be empty" : "empty item in list");
            }
            if (raw.find('"') != std::string_view::npos) {
                return std::string("a quote may only surround a whole item");
            }
            item.text = raw;
            i = comma == std::string_view::npos ? text.size() : comma;
        }
        items.push_back(std::move(item));
        if (i >= text.size()) return items;
        ++i;  // the comma
        if (i >= text.size()) return std::string("empty item in list");
    }
}

Result<std::vector<HbaNameItem>, std::string> parse_names(std::string_view text, bool is_database) {
    auto raw = split_list(text);
    if (!raw) return raw.error();
    std::vector<HbaNameItem> items;
    for (const RawItem& r : raw.value()) {
        HbaNameItem item;
        if (!r.quoted) {
            const std::string_view t = r.text;
            if (t == "all") {
                item.kind = HbaNameItem::Kind::all;
            } else if (t == "sameuser" && is_database) {
                item.kind = HbaNameItem::Kind::sameuser;
            } else if (t == "samerole" || t == "samegroup" || t == "replication") {
                if (is_database) return "\"" + r.text + "\" is not supported";
            } else if (t.front() == '@') {
                return std::string("@file inclusion is not supported");
            } else if (t.front() == '/') {
                return std::string("regular expressions are not supported");
            } else if (t.front() == '+' && !is_database) {
                return std::string("+group membership is not supported");
            }
        }
        if (item.kind == HbaNameItem::Kind::name) item.name = r.text;
        items.push_back(std::move(item));
    }
    return items;
}

template <class T, std::size_t N>
std::optional<T> lookup(const std::array<std::pair<std::string_view, T>, N>& table,
                        std::string_view key) {
    for (const auto& [name, value] : table) {
        if (name == key) return value;
    }
    return std::nullopt;
}

template <class T, std::size_t N>
std::string choices(const std::array<std::pair<std::string_view, T>, N>& table) {
    std::string out;
    for (const auto& entry : table) {
        if (!out.empty()) out += ", ";
        out += entry.first;
    }
    return out;
}

bool name_matches(const std::vector<HbaNameItem>& items, std::string_view value,
                  std::string_view user) {
    for (const HbaNameItem& item : items) {
        switch (item.kind) {
            case HbaNameItem::Kind::all:
                return true;
            case HbaNameItem::Kind::sameuser:
                if (value == user) return true;
                break;
            case HbaNameItem::Kind::name:
                if (value == item.name) return true;
                break;
        }
    }
    return false;
}

}  // namespace

std::string_view to_string(HbaConnectionType type) {
    for (const auto& [name, value] : kTypes) {
        if (value == type) return name;
    }
    return "host";
}

std::string_view to_string(HbaMethod method) {
    for (const auto& [name, value] : kMethods) {
        if (value == method) return name;
    }
    return "reject";
}

std::string_view to_string(HbaField field) {
    switch (field) {
        case HbaField::type:
            return "type";
        case HbaField::database:
            return "database";
        case HbaField::user:
            return "user";
        case HbaField::address:
            return "address";
        case HbaField::method:
            return "method";
    }
    return "type";
}

Result<HbaRule, std::vector<HbaFieldError>> parse_hba_rule(const HbaRuleFields& fields) {
    HbaRule rule;
    std::vector<HbaFieldError> errors;

    if (const auto type = lookup(kTypes, fields.type)) {
        rule.type = *type;
    } else {
        errors.push_back({HbaField::type, "\"" + std::string(fields.type) +
                                              "\" is not a supported connection type (" +
                                              choices(kTypes) + ")"});
    }

    if (auto databases = parse_names(fields.database, true)) {
        rule.databases = std::move(databases.value());
    } else {
        errors.push_back({HbaField::database, databases.error()});
    }
    if (auto users = parse_names(fields.user, false)) {
        rule.users = std::move(users.value());
    } else {
        errors.push_back({HbaField::user, users.error()});
    }

    const std::string_view address = trim(fields.address);
    if (address == "samehost" || address == "samenet") {
        errors.push_back({HbaField::address, "\"" + std::string(address) +
                                                 "\" is not supported; write a CIDR network"});
    } else if (address != "all") {
        if (auto network = IpNetwork::parse(address)) {
            rule.network = network.value();
        } else {
            errors.push_back({HbaField::address, network.error()});
        }
    }

    if (const auto method = lookup(kMethods, fields.method)) {
        rule.method = *method;
    } else {
        errors.push_back({HbaField::method, "\"" + std::string(fields.method) +
                                                "\" is not a supported method (" +
                                                choices(kMethods) + ")"});
    }

    if (!errors.empty()) return errors;
    return rule;
}

bool matches(const HbaRule& rule, const ConnectionFacts& facts) {
    if (rule.type == HbaConnectionType::hostssl && !facts.ssl) return false;
    if (rule.type == HbaConnectionType::hostnossl && facts.ssl) return false;
    if (rule.network && !rule.network->contains(facts.client_address)) return false;
    return name_matches(rule.databases, facts.database, facts.user) &&
           name_matches(rule.users, facts.user, facts.user);
}

std::optional<HbaMethod> match(std::span<const HbaRule> rules, const ConnectionFacts& facts) {
    for (const HbaRule& rule : rules) {
        if (matches(rule, facts)) return rule.method;
    }
    return std::nullopt;
}

}  // namespace pgfront::auth
