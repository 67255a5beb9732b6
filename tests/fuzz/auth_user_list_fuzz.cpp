// Fuzz target: userlist.txt parsing on arbitrary text. Every entry must be found by its
// name, issues must point at real lines, and an empty-error parse must have no broken lines.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/user_list.hpp"

using namespace pgfront::auth;

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

// Odd first byte: map the rest onto the file's alphabet so a random driver builds lines.
std::string shape(const std::uint8_t* data, std::size_t size) {
    static constexpr std::string_view kAlphabet = "\"\"\" \t\n\r;#ab5$:=SCRAM-SHA-256md";
    if (size == 0 || data[0] % 2 == 0) return {reinterpret_cast<const char*>(data), size};
    std::string out;
    for (std::size_t i = 1; i < size; ++i) out.push_back(kAlphabet[data[i] % kAlphabet.size()]);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string shaped = shape(data, size);
    const std::string_view text = shaped;
    const UserListParse r = parse_user_list(text);
    std::size_t lines = 1;
    for (const char c : text) lines += c == '\n' ? 1 : 0;
    for (const UserListEntry& e : r.users.entries()) {
        require(!e.user.empty());
        require(r.users.find(e.user) == &e);
        require(e.line >= 1 && e.line <= lines);
        require((e.password.kind == PasswordKind::scram_sha_256) == e.password.scram.has_value());
    }
    for (const auto* issues : {&r.errors, &r.warnings}) {
        for (const UserListIssue& i : *issues) {
            require(i.line >= 1 && i.line <= lines && i.column >= 1 && !i.message.empty());
        }
    }
    return 0;
}
