// PgBouncer's auth_file (userlist.txt), parsed from text the caller has read: one
// `"user" "password"` entry a line, `""` for a quote inside quotes, comments and blank lines.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "auth/stored_password.hpp"

namespace pgfront::auth {

struct UserListEntry {
    std::string user;
    StoredPassword password;
    std::size_t line = 0;  // 1-based
};

struct UserListIssue {
    std::size_t line = 0;    // 1-based
    std::size_t column = 0;  // 1-based, in bytes
    std::string message;     // never contains a password
};

class UserList {
  public:
    // nullptr when the user is not listed.
    const UserListEntry* find(std::string_view user) const;
    const std::vector<UserListEntry>& entries() const { return entries_; }
    std::size_t size() const { return entries_.size(); }

    // Adds or, for a user already listed, replaces (the later entry wins, as in PgBouncer).
    // Returns the line of the replaced entry, or 0.
    std::size_t add(UserListEntry entry);

    // with_derived_secret for every plaintext entry (a few ms each): done when the file is
    // loaded, so no login pays for it.
    void derive_scram_secrets(RandomSource& random);

  private:
    std::vector<UserListEntry> entries_;
    std::map<std::string, std::size_t, std::less<>> index_;
};

struct UserListParse {
    UserList users;                       // every well-formed entry
    std::vector<UserListIssue> errors;    // the file must be rejected when any
    std::vector<UserListIssue> warnings;  // accepted as PgBouncer does, worth telling
    bool ok() const { return errors.empty(); }
};

// The format, line by line (LF or CRLF):
//   - blank lines, and lines whose first non-blank character is ';' or '#', are skipped;
//   - otherwise: a quoted user name, blanks, a quoted password; inside quotes `""` is one '"';
//   - text after the password is ignored with a warning (PgBouncer ignores it silently);
//   - a user listed twice: the later entry wins, with a warning;
//   - errors: anything else where the user name should start, a missing or unterminated
//     quoted field, an empty user name, and a password that starts with "SCRAM-SHA-256$" but
//     is not a valid secret (PostgreSQL would take it for a plaintext password).
// The password may be plaintext, "md5..." or "SCRAM-SHA-256$..." (StoredPassword::classify).
UserListParse parse_user_list(std::string_view text);

}  // namespace pgfront::auth
