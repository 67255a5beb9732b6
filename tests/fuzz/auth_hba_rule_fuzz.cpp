// Fuzz target: HBA rule parsing from five newline-separated fields, CIDR parsing, and
// matching a parsed rule against connections built from the same input.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>

#include "auth/hba_rules.hpp"

using namespace pgfront::auth;

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

// Odd first byte: build the five fields from the rest — type and method mostly from the
// valid words, names and addresses from a small alphabet — so a random driver gets past
// the first error. Even: raw, fields separated by newlines.
std::string shape(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || data[0] % 2 == 0) return {reinterpret_cast<const char*>(data), size};
    static constexpr std::string_view kTypes[] = {"host", "hostssl", "hostnossl", "local", "x"};
    static constexpr std::string_view kMethods[] = {"md5",    "scram-sha-256", "trust",
                                                    "reject", "password",      "cert"};
    static constexpr std::string_view kAddresses[] = {"all",       "10.0.0.0/8",    "::1/128",
                                                      "0.0.0.0/0", "2001:db8::/32", "127.0.0.1"};
    static constexpr std::string_view kNames = ",,\"./:0123456789abfallsameuser@+ ";
    std::size_t i = 1;
    auto next = [&]() -> std::uint8_t { return i < size ? data[i++] : 0; };
    auto word = [&](std::string_view alphabet) {
        std::string out;
        for (std::size_t n = next() % 12; n > 0; --n)
            out.push_back(alphabet[next() % alphabet.size()]);
        return out;
    };
    std::string out(kTypes[next() % std::size(kTypes)]);
    for (int field = 0; field < 2; ++field) {
        out += '\n';
        out += word(kNames);
    }
    out += '\n';
    const std::uint8_t a = next();
    out += a % 2 == 0 ? std::string(kAddresses[a / 2 % std::size(kAddresses)]) : word(kNames);
    out += "\n";
    out += kMethods[next() % std::size(kMethods)];
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string shaped = shape(data, size);
    std::string_view text = shaped;
    std::array<std::string_view, 5> fields{};
    for (auto& field : fields) {
        const auto newline = text.find('\n');
        field = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    }

    if (auto network = IpNetwork::parse(fields[3])) {
        require(network->contains(network->address()));
        require(IpNetwork::parse(network->to_string()).ok());
    }

    const auto rule = parse_hba_rule({fields[0], fields[1], fields[2], fields[3], fields[4]});
    if (!rule) {
        require(!rule.error().empty());
        for (const auto& e : rule.error()) require(!e.message.empty());
        return 0;
    }
    require(!rule->databases.empty() && !rule->users.empty());
    for (const bool ssl : {false, true}) {
        for (const std::string_view address : {"127.0.0.1", "::1", "10.1.2.3", "2001:db8::5"}) {
            const ConnectionFacts facts{ssl, fields[1], fields[2], *IpAddress::parse(address)};
            const auto method = match(std::span<const HbaRule>(&rule.value(), 1), facts);
            require(method.has_value() == matches(rule.value(), facts));
        }
    }
    return 0;
}
