// Which partial messages go on in pieces, decided from their first bytes.
#include <doctest/doctest.h>

#include <string_view>
#include <vector>

#include "pool/streamed_message.hpp"

using pgfront::pool::stream_threshold;
using pgfront::pool::streamed_client_message;
using pgfront::pool::streamed_server_message;

namespace {

// The first bytes of a message of `size` bytes in all (type and length word included),
// followed by `body`.
std::vector<std::byte> head(char type, std::size_t size, std::string_view body = {}) {
    const auto length = static_cast<std::uint32_t>(size - 1);
    std::vector<std::byte> bytes{std::byte(type), std::byte(length >> 24), std::byte(length >> 16),
                                 std::byte(length >> 8), std::byte(length)};
    for (char c : body) bytes.push_back(std::byte(static_cast<unsigned char>(c)));
    return bytes;
}

}  // namespace

TEST_CASE("server: large DataRow and CopyData stream, with their whole size") {
    const auto row = head('D', 70'000'001, "\x00\x01");
    const auto message = streamed_server_message(row);
    REQUIRE(message);
    CHECK(message->type == 'D');
    CHECK(message->size == 70'000'001);
    CHECK(streamed_server_message(head('d', stream_threshold + 1)));
}

TEST_CASE("server: messages up to the threshold, and ones pgfront reads, are held whole") {
    CHECK_FALSE(streamed_server_message(head('D', stream_threshold)));
    CHECK_FALSE(streamed_server_message(head('E', 1'000'000)));  // ErrorResponse: its fields are read
    CHECK_FALSE(streamed_server_message(head('T', 1'000'000)));
    CHECK_FALSE(streamed_server_message(head('Z', 1'000'000)));
}

TEST_CASE("an incomplete header decides nothing yet") {
    auto partial = head('D', 1'000'000);
    partial.resize(4);
    CHECK_FALSE(streamed_server_message(partial));
    CHECK_FALSE(streamed_client_message(partial, false));
    CHECK_FALSE(streamed_server_message({}));
}

TEST_CASE("client, session mode: data-carrying messages stream") {
    for (char type : {'d', 'Q', 'P', 'B', 'F'}) {
        CAPTURE(type);
        CHECK(streamed_client_message(head(type, 1'000'000), false));
    }
    CHECK_FALSE(streamed_client_message(head('Q', stream_threshold), false));
    CHECK_FALSE(streamed_client_message(head('S', 1'000'000), false));
    CHECK_FALSE(streamed_client_message(head('D', 1'000'000), false));  // Describe is read
}

TEST_CASE("client, statements rewritten: Bind names go through the rewriter, Query text is watched") {
    CHECK(streamed_client_message(head('d', 1'000'000), true));
    CHECK(streamed_client_message(head('F', 1'000'000), true));

    const auto query = streamed_client_message(head('Q', 1'000'000), true);
    REQUIRE(query);
    CHECK(query->watch_release_words);
    CHECK(query->rewritten_head == 0);
    CHECK_FALSE(streamed_client_message(head('Q', 1'000'000), false)->watch_release_words);

    // Parse: a named statement's text is kept by the rewriter, so only the unnamed one streams.
    CHECK(streamed_client_message(head('P', 1'000'000, std::string_view("\0INSERT", 7)), true));
    CHECK_FALSE(streamed_client_message(head('P', 1'000'000, "s1\0"), true));
    CHECK_FALSE(streamed_client_message(head('P', 1'000'000), true));  // name not in yet

    // Bind: portal name, then statement name; a named statement's head (type, length and both
    // names) goes through the rewriter.
    const auto named = streamed_client_message(head('B', 1'000'000, std::string_view("\0s1\0\0\1", 7)), true);
    REQUIRE(named);
    CHECK(named->rewritten_head == 5 + 4);
    const auto unnamed = streamed_client_message(head('B', 1'000'000, std::string_view("portal\0\0", 8)), true);
    REQUIRE(unnamed);
    CHECK(unnamed->rewritten_head == 0);  // nothing to rewrite: passes as it is
    CHECK_FALSE(streamed_client_message(head('B', 1'000'000, std::string_view("portal\0s", 8)), true));
    CHECK_FALSE(streamed_client_message(head('B', 1'000'000, "port"), true));
    // Session mode: nothing is rewritten.
    CHECK(streamed_client_message(head('B', 1'000'000, "port"), false)->rewritten_head == 0);
}
