// parse_api_url and api_base_url: the URL forms seeds and GET /cluster use.
#include "health/api_url.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pgfront::health;

TEST_CASE("API URLs that parse") {
    struct Row {
        const char* url;
        const char* scheme;
        const char* host;
        std::uint16_t port;
        const char* base_path;
        const char* host_header;
    };
    const std::vector<Row> rows = {
        {"http://127.0.0.1:8008", "http", "127.0.0.1", 8008, "", "127.0.0.1:8008"},
        {"http://127.0.0.1:8008/", "http", "127.0.0.1", 8008, "", "127.0.0.1:8008"},
        {"http://127.0.0.1:8008/patroni", "http", "127.0.0.1", 8008, "", "127.0.0.1:8008"},
        {"HTTP://node1.example.com:8008", "http", "node1.example.com", 8008, "",
         "node1.example.com:8008"},
        {"http://node1", "http", "node1", 80, "", "node1"},
        {"https://node1", "https", "node1", 443, "", "node1"},
        {"https://node1:8443/patroni", "https", "node1", 8443, "", "node1:8443"},
        {"http://[::1]:8008/patroni", "http", "::1", 8008, "", "[::1]:8008"},
        {"http://lb:80/pg/node1/patroni", "http", "lb", 80, "/pg/node1", "lb"},
    };
    for (const auto& row : rows) {
        CAPTURE(row.url);
        auto r = parse_api_url(row.url);
        REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error()));
        CHECK(r.value().scheme == row.scheme);
        CHECK(r.value().host == row.host);
        CHECK(r.value().port == row.port);
        CHECK(r.value().base_path == row.base_path);
        CHECK(r.value().host_header() == row.host_header);
    }
    CHECK(parse_api_url("http://lb/pg/n1").value().target("/patroni") == "/pg/n1/patroni");
    CHECK(parse_api_url("http://h:8008").value().target("/cluster") == "/cluster");
}

TEST_CASE("API URLs that do not parse") {
    for (const char* url :
         {"", "127.0.0.1:8008", "ftp://h:21", "http://", "http://:8008", "http://h:0",
          "http://h:65536", "http://h:80x", "http://h:", "http://user:pw@h:8008",
          "http://h:8008/?x=1", "http://h:8008#f", "http://[::1", "http://[::1]x",
          "http://[zz]:8008", "http://h h:8008"}) {
        CAPTURE(url);
        CHECK_FALSE(parse_api_url(url).ok());
    }
}

TEST_CASE("base URLs compare equal however Patroni or the config spell them") {
    CHECK(api_base_url("http://127.0.0.1:8008/patroni") == "http://127.0.0.1:8008");
    CHECK(api_base_url("http://127.0.0.1:8008/patroni/") == "http://127.0.0.1:8008");
    CHECK(api_base_url("http://127.0.0.1:8008/") == "http://127.0.0.1:8008");
    CHECK(api_base_url("http://127.0.0.1:8008") == "http://127.0.0.1:8008");
    CHECK(api_base_url("http://lb/x/patroni") == "http://lb/x");
    CHECK(api_base_url("") == "");
}
