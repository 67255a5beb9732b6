// Splitting and normalising Patroni REST base URLs.
#include "health/api_url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pgfront::health {
namespace {

constexpr std::string_view kStatusPath = "/patroni";

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim_status_path(std::string_view path) {
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (path.ends_with(kStatusPath)) path.remove_suffix(kStatusPath.size());
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    return path;
}

bool valid_host_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || c == '.' || c == '-' || c == '_' || c == '%';
}

}  // namespace

std::string ApiUrl::target(std::string_view path) const {
    return base_path + std::string(path);
}

std::string ApiUrl::host_header() const {
    // Appended piecewise: `":" + std::to_string(...)` trips GCC 12's -Wrestrict false positive.
    std::string h;
    const bool ipv6 = host.find(':') != std::string::npos;
    if (ipv6) h += '[';
    h += host;
    if (ipv6) h += ']';
    const bool default_port =
        (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
    if (!default_port) {
        h += ':';
        h += std::to_string(port);
    }
    return h;
}

ParseResult<ApiUrl> parse_api_url(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return ParseError{"API URL '" + std::string(url) +
                          "' has no scheme (want http://host:port)"};
    }
    ApiUrl out;
    out.scheme = lower(url.substr(0, scheme_end));
    if (out.scheme != "http" && out.scheme != "https") {
        return ParseError{"API URL scheme '" + out.scheme + "' is not http or https"};
    }
    std::string_view rest = url.substr(scheme_end + 3);
    if (rest.find_first_of("?#") != std::string_view::npos) {
        return ParseError{"API URL '" + std::string(url) + "' must not have a query or fragment"};
    }
    const auto path_start = rest.find('/');
    std::string_view authority = rest.substr(0, path_start);
    std::string_view path = path_start == std::string_view::npos ? "" : rest.substr(path_start);
    if (authority.find('@') != std::string_view::npos) {
        return ParseError{"API URL '" + std::string(url) + "' must not carry credentials"};
    }

    std::string_view host;
    std::string_view port_text;
    bool has_port = false;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return ParseError{"API URL has an unclosed '['"};
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return ParseError{"API URL has junk after ']'"};
            port_text = after.substr(1);
            has_port = true;
        }
        const bool ok = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.' ||
                   c == '%';
        });
        if (!ok) return ParseError{"API URL has a bad IPv6 address"};
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            has_port = true;
        }
        if (host.empty() || !std::all_of(host.begin(), host.end(), valid_host_char)) {
            return ParseError{"API URL '" + std::string(url) + "' has a bad host"};
        }
    }
    out.host = std::string(host);

    if (!has_port) {
        out.port = out.scheme == "https" ? 443 : 80;
    } else {
        unsigned value = 0;
        const auto* end = port_text.data() + port_text.size();
        auto [p, ec] = std::from_chars(port_text.data(), end, value);
        if (ec != std::errc{} || p != end || value == 0 || value > 65535) {
            return ParseError{"API URL '" + std::string(url) + "' has a bad port"};
        }
        out.port = static_cast<std::uint16_t>(value);
    }
    out.base_path = std::string(trim_status_path(path));
    return out;
}

std::string api_base_url(std::string_view url) {
    const auto scheme_end = url.find("://");
    const auto path_start =
        url.find('/', scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
    if (path_start == std::string_view::npos) return std::string(url);
    return std::string(url.substr(0, path_start)) +
           std::string(trim_status_path(url.substr(path_start)));
}

}  // namespace pgfront::health
