// DEALLOCATE / DISCARD spotted in a whole query and in one passing in pieces.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "pool/release_words.hpp"

using pgfront::pool::mentions_release_word;
using pgfront::pool::ReleaseWordWatch;

namespace {

pgfront::protocol::Bytes bytes(std::string_view text) { return std::as_bytes(std::span(text)); }

}  // namespace

TEST_CASE("whole queries") {
    CHECK(mentions_release_word("DEALLOCATE s1"));
    CHECK(mentions_release_word("select 1; discard all"));
    CHECK(mentions_release_word("DeAlLoC"));
    CHECK_FALSE(mentions_release_word("SELECT 'discar' || 'd'"));
    CHECK_FALSE(mentions_release_word(""));
}

TEST_CASE("a word split between two pieces at every point is still seen") {
    const std::string query = "INSERT INTO t VALUES ('x'); DISCARD ALL; SELECT 'padding padding'";
    for (std::size_t cut = 0; cut <= query.size(); ++cut) {
        CAPTURE(cut);
        ReleaseWordWatch watch;
        watch.feed(bytes(std::string_view(query).substr(0, cut)));
        watch.feed(bytes(std::string_view(query).substr(cut)));
        CHECK(watch.seen());
    }
}

TEST_CASE("a word fed one byte at a time is seen, and text without one is not") {
    ReleaseWordWatch one_by_one;
    for (char c : std::string_view("xx deallocate yy")) one_by_one.feed(bytes(std::string_view(&c, 1)));
    CHECK(one_by_one.seen());

    ReleaseWordWatch clean;
    clean.feed(bytes("INSERT INTO t VALUES ('disc"));
    clean.feed(bytes("o'), ('deal"));
    clean.feed(bytes("er')"));
    CHECK_FALSE(clean.seen());
}

TEST_CASE("skipped leading bytes are not text") {
    // The skipped bytes would complete the word with the text that follows them.
    ReleaseWordWatch watch(3);
    watch.feed(bytes("dis"));
    watch.feed(bytes("card"));
    CHECK_FALSE(watch.seen());

    ReleaseWordWatch split_skip(3);
    split_skip.feed(bytes("xx"));
    split_skip.feed(bytes("xdiscard"));
    CHECK(split_skip.seen());
}
