// userlist.txt parsing with line and column numbers, and lookup by user.
#include "auth/user_list.hpp"

#include <optional>

namespace pgfront::auth {

const UserListEntry* UserList::find(std::string_view user) const {
    const auto it = index_.find(user);
    return it == index_.end() ? nullptr : &entries_[it->second];
}

std::size_t UserList::add(UserListEntry entry) {
    const auto it = index_.find(entry.user);
    if (it != index_.end()) {
        const std::size_t previous = entries_[it->second].line;
        entries_[it->second] = std::move(entry);
        return previous;
    }
    index_.emplace(entry.user, entries_.size());
    entries_.push_back(std::move(entry));
    return 0;
}

void UserList::derive_scram_secrets(RandomSource& random) {
    for (auto& entry : entries_) entry.password = with_derived_secret(std::move(entry.password), random);
}

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

class LineParser {
  public:
    LineParser(std::string_view line, std::size_t number, UserListParse& out)
        : line_(line), number_(number), out_(out) {}

    void parse() {
        skip_blanks();
        if (at_end() || line_[pos_] == ';' || line_[pos_] == '#') return;

        const std::size_t user_column = pos_ + 1;
        auto user = quoted("user name");
        if (!user) return;
        if (user->empty()) return error(user_column, "empty user name");

        skip_blanks();
        if (at_end()) return error(pos_ + 1, "expected a quoted password after the user name");
        const std::size_t password_column = pos_ + 1;
        auto password = quoted("password");
        if (!password) return;

        skip_blanks();
        if (!at_end() && line_[pos_] != ';' && line_[pos_] != '#') {
            warn(pos_ + 1, "text after the password is ignored");
        }

        const bool looks_scram = password->starts_with("SCRAM-SHA-256$");
        StoredPassword stored = StoredPassword::classify(std::move(*password));
        if (looks_scram && stored.kind != PasswordKind::scram_sha_256) {
            const auto why = ScramSecret::parse(stored.text);
            return error(password_column, "malformed SCRAM secret: " + why.error());
        }
        const std::string name = *user;
        const std::size_t previous = out_.users.add({std::move(*user), std::move(stored), number_});
        if (previous != 0) {
            warn(user_column, "user \"" + name + "\" is also listed on line " +
                                  std::to_string(previous) + "; this later entry wins");
        }
    }

  private:
    bool at_end() const { return pos_ >= line_.size(); }

    void skip_blanks() {
        while (!at_end() && is_blank(line_[pos_])) ++pos_;
    }

    // A '"'-quoted field with "" escapes, starting at pos_.
    std::optional<std::string> quoted(std::string_view what) {
        if (at_end() || line_[pos_] != '"') {
            error(pos_ + 1, "expected a quoted " + std::string(what));
            return std::nullopt;
        }
        const std::size_t open = pos_;
        ++pos_;
        std::string value;
        while (!at_end()) {
            const char c = line_[pos_++];
            if (c != '"') {
                value.push_back(c);
            } else if (!at_end() && line_[pos_] == '"') {
                value.push_back('"');
                ++pos_;
            } else {
                return value;
            }
        }
        error(open + 1, "unterminated quoted " + std::string(what));
        return std::nullopt;
    }

    void error(std::size_t column, std::string message) {
        out_.errors.push_back({number_, column, std::move(message)});
    }
    void warn(std::size_t column, std::string message) {
        out_.warnings.push_back({number_, column, std::move(message)});
    }

    std::string_view line_;
    std::size_t number_;
    UserListParse& out_;
    std::size_t pos_ = 0;
};

}  // namespace

UserListParse parse_user_list(std::string_view text) {
    UserListParse out;
    std::size_t number = 0;
    while (!text.empty()) {
        ++number;
        const auto newline = text.find('\n');
        const std::string_view line = text.substr(0, newline);
        LineParser(line, number, out).parse();
        if (newline == std::string_view::npos) break;
        text.remove_prefix(newline + 1);
    }
    return out;
}

}  // namespace pgfront::auth
