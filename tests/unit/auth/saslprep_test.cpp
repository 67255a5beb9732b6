// Tests for auth/saslprep: ASCII unchanged, RFC 4013 §3 examples that need only mapping and
// prohibition, PostgreSQL's raw-bytes fallback, and the documented normalization gap.
#include "auth/saslprep.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace pgfront::auth;

TEST_CASE("ASCII passwords are returned unchanged, even with control characters") {
    for (const std::string_view password : {"apppass", "", "p a s s", "tab\there", "\x7f"}) {
        const auto r = saslprep(password);
        CHECK(r.password == password);
        CHECK(r.outcome == SaslPrepOutcome::ascii);
    }
}

TEST_CASE("mapping: soft hyphen removed, non-ASCII spaces become U+0020 (RFC 4013 §3)") {
    // "I<U+00AD>X" -> "IX"
    auto r = saslprep(
        "I\xC2\xAD"
        "X");
    CHECK(r.password == "IX");
    CHECK(r.outcome == SaslPrepOutcome::prepared);
    // NO-BREAK SPACE and IDEOGRAPHIC SPACE
    r = saslprep(
        "a\xC2\xA0"
        "b\xE3\x80\x80"
        "c");
    CHECK(r.password == "a b c");
    // ZERO WIDTH SPACE is listed in both tables; PostgreSQL maps it to a space first.
    r = saslprep(
        "a\xE2\x80\x8B"
        "b");
    CHECK(r.password == "a b");
    // ZERO WIDTH JOINER and variation selectors vanish.
    r = saslprep(
        "a\xE2\x80\x8D"
        "b\xEF\xB8\x8F");
    CHECK(r.password == "ab");
}

TEST_CASE("already normalized Latin-1 letters pass through as prepared") {
    const auto r = saslprep("p\xC3\xA4ssw\xC3\xB6rd");  // pässwörd, precomposed
    CHECK(r.password == "p\xC3\xA4ssw\xC3\xB6rd");
    CHECK(r.outcome == SaslPrepOutcome::prepared);
}

TEST_CASE("prohibited characters fall back to the raw bytes (RFC 4013 §3 example 5)") {
    // "<U+0007>" is ASCII and therefore unchanged; a non-ASCII control character is not.
    const std::string with_c1 =
        "a\xC2\x85"
        "b";  // U+0085 NEXT LINE
    auto r = saslprep(with_c1);
    CHECK(r.password == with_c1);
    CHECK(r.outcome == SaslPrepOutcome::prohibited);
    const std::string private_use = "x\xEE\x80\x80";  // U+E000
    r = saslprep(private_use);
    CHECK(r.outcome == SaslPrepOutcome::prohibited);
    CHECK(r.password == private_use);
    // A string that maps to nothing is an empty password: prohibited.
    r = saslprep("\xC2\xAD");
    CHECK(r.outcome == SaslPrepOutcome::prohibited);
    CHECK(r.password == "\xC2\xAD");
    // Tagging characters (C.9), U+E0041
    r = saslprep("a\xF3\xA0\x81\x81");
    CHECK(r.outcome == SaslPrepOutcome::prohibited);
}

TEST_CASE("invalid UTF-8 falls back to the raw bytes") {
    for (const std::string& bad : std::initializer_list<std::string>{
             std::string("caf\xE9"),           // Latin-1 byte
             std::string("\xC0\xAF"),          // overlong '/'
             std::string("\xED\xA0\x80"),      // surrogate U+D800
             std::string("\xF4\x90\x80\x80"),  // above U+10FFFF
             std::string("\xE2\x82"),          // truncated
         }) {
        const auto r = saslprep(bad);
        CHECK(r.password == bad);
        CHECK(r.outcome == SaslPrepOutcome::invalid_utf8);
    }
}

TEST_CASE("characters NFKC could change are flagged, not normalized (the documented gap)") {
    // U+FB01 LATIN SMALL LIGATURE FI: PostgreSQL would hash "fi".
    auto r = saslprep("\xEF\xAC\x81");
    CHECK(r.outcome == SaslPrepOutcome::not_normalized);
    CHECK(r.password == "\xEF\xAC\x81");
    // SUPERSCRIPT TWO is in Latin-1 but has a compatibility decomposition.
    r = saslprep("x\xC2\xB2");
    CHECK(r.outcome == SaslPrepOutcome::not_normalized);
}
