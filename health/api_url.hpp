// ApiUrl: a Patroni REST base URL ("http://host:8008") split for the HTTP client, and the
// normalisation that makes seeds and GET /cluster's api_url ("…/patroni") comparable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "health/parse_result.hpp"

namespace pgfront::health {

struct ApiUrl {
    std::string scheme;      // "http" or "https", lower case
    std::string host;        // without brackets for IPv6 literals
    std::uint16_t port = 0;  // 80/443 when the URL names none
    std::string base_path;   // "" or "/prefix", never ending in '/'

    // base_path + path, e.g. target("/patroni").
    std::string target(std::string_view path) const;
    // Value for the Host header: host[:port], IPv6 literals in brackets.
    std::string host_header() const;

    friend bool operator==(const ApiUrl&, const ApiUrl&) = default;
};

// Accepts http:// and https:// URLs with an optional port and path; rejects user info,
// queries and fragments. A trailing "/patroni" or "/" is dropped from the path.
ParseResult<ApiUrl> parse_api_url(std::string_view url);

// The base URL with any trailing "/patroni" and "/" removed, otherwise unchanged:
// "http://h:8008/patroni" -> "http://h:8008".
std::string api_base_url(std::string_view url);

}  // namespace pgfront::health
