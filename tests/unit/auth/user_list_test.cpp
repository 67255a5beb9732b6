// Tests for auth/user_list: PgBouncer's userlist.txt with comments, escapes, every password
// kind, and errors and warnings with line and column numbers.
#include "auth/user_list.hpp"

#include <doctest/doctest.h>

#include <string>

#include "test_support.hpp"

using namespace pgfront::auth;

TEST_CASE("a typical userlist.txt") {
    const auto r = parse_user_list(
        ";; PgBouncer users\n"
        "\"pgbouncer\" \"md5a5549a09c79014caa6d76761bcbe56c3\"\n"
        "\n"
        "# generated from pg_authid\n"
        "\"app\" \"SCRAM-SHA-256$4096:Ox8JkhsdZreLsOhTh9eWew==$"
        "l+De3gny99IKxoOjFFtjV4J8nORQ0HiuS3dVUb5KSwo=:HgPieugooiWbdA2Te+AAQ234Be2xCG/"
        "PihQL4OcpC2o=\"\n"
        "  \"admin\"\t\"plain secret\"  \n");
    CHECK(r.ok());
    CHECK(r.warnings.empty());
    REQUIRE(r.users.size() == 3);

    const auto* bouncer = r.users.find("pgbouncer");
    REQUIRE(bouncer);
    CHECK(bouncer->password.kind == PasswordKind::md5);
    CHECK(bouncer->line == 2);

    const auto* app = r.users.find("app");
    REQUIRE(app);
    CHECK(app->password.kind == PasswordKind::scram_sha_256);
    REQUIRE(app->password.scram);
    CHECK(app->password.scram->verify_password("apppass"));
    CHECK(app->line == 5);

    const auto* admin = r.users.find("admin");
    REQUIRE(admin);
    CHECK(admin->password.kind == PasswordKind::plain);
    CHECK(admin->password.text == "plain secret");

    CHECK_FALSE(r.users.find("nobody"));
    CHECK_FALSE(r.users.find("App"));  // user names are case-sensitive
}

TEST_CASE("doubled quotes inside quotes, CRLF line ends, no final newline") {
    const auto r = parse_user_list(
        "\"we\"\"ird\" \"pa\"\"ss\"\"\"\r\n"
        "\"\"\"\" \"\"\r\n"
        "\"semi;colon\" \"#hash\"");
    CHECK(r.ok());
    REQUIRE(r.users.size() == 3);
    const auto* weird = r.users.find("we\"ird");
    REQUIRE(weird);
    CHECK(weird->password.text == "pa\"ss\"");
    const auto* quote = r.users.find("\"");
    REQUIRE(quote);
    CHECK(quote->password.text.empty());
    const auto* semi = r.users.find("semi;colon");
    REQUIRE(semi);
    CHECK(semi->password.text == "#hash");
}

TEST_CASE("text after the password is ignored with a warning, trailing comments silently") {
    const auto r = parse_user_list(
        "\"a\" \"1\" extra fields\n"
        "\"b\" \"2\" ; a comment\n"
        "\"c\" \"3\"# another\n");
    CHECK(r.ok());
    CHECK(r.users.size() == 3);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].line == 1);
    CHECK(r.warnings[0].column == 9);
}

TEST_CASE("a user listed twice: the later entry wins, with a warning") {
    const auto r = parse_user_list("\"a\" \"old\"\n\"b\" \"x\"\n\"a\" \"new\"\n");
    CHECK(r.ok());
    CHECK(r.users.size() == 2);
    REQUIRE(r.users.find("a"));
    CHECK(r.users.find("a")->password.text == "new");
    CHECK(r.users.find("a")->line == 3);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].line == 3);
    CHECK(r.warnings[0].message.find("line 1") != std::string::npos);
    CHECK(r.warnings[0].message.find("old") == std::string::npos);
}

TEST_CASE("errors carry line and column and never the password; good lines still load") {
    struct Case {
        std::string text;
        std::size_t line;
        std::size_t column;
        std::string_view message;
    };
    const Case cases[] = {
        {"user \"pass\"\n", 1, 1, "expected a quoted user name"},
        {"\"ok\" \"1\"\n  \"unterminated\n", 2, 3, "unterminated quoted user name"},
        {"\"user\"\n", 1, 7, "expected a quoted password"},
        {"\"user\"   \n", 1, 10, "expected a quoted password"},
        {"\"user\" pass\n", 1, 8, "expected a quoted password"},
        {"\"user\" \"pass\n", 1, 8, "unterminated quoted password"},
        {"\"\" \"pass\"\n", 1, 1, "empty user name"},
        {"\n\n\"u\" \"SCRAM-SHA-256$4096:c2FsdA==$bad:bad\"\n", 3, 5, "malformed SCRAM secret"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        const auto r = parse_user_list(c.text);
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].line == c.line);
        CHECK(r.errors[0].column == c.column);
        CHECK(r.errors[0].message.find(c.message) != std::string::npos);
        CHECK(r.errors[0].message.find("pass\"") == std::string::npos);
        CHECK_FALSE(r.ok());
    }
}

TEST_CASE("every broken line is reported, not only the first") {
    const auto r = parse_user_list("bad\n\"ok\" \"1\"\nalso bad\n\"\" \"x\"\n");
    CHECK(r.errors.size() == 3);
    CHECK(r.errors[0].line == 1);
    CHECK(r.errors[1].line == 3);
    CHECK(r.errors[2].line == 4);
    CHECK(r.users.size() == 1);
}

TEST_CASE("empty input and comments only") {
    CHECK(parse_user_list("").ok());
    CHECK(parse_user_list("").users.size() == 0);
    const auto r = parse_user_list("; only\n# comments\n   \n\t\n");
    CHECK(r.ok());
    CHECK(r.users.size() == 0);
}

TEST_CASE("derive_scram_secrets gives plaintext entries a secret, each its own salt") {
    auto r = parse_user_list("\"a\" \"one\"\n\"b\" \"one\"\n\"c\" \"md5a5549a09c79014caa6d76761bcbe56c3\"\n");
    REQUIRE(r.ok());
    CHECK_FALSE(r.users.find("a")->password.scram);
    test::CountingRandom random;
    r.users.derive_scram_secrets(random);
    const auto& a = r.users.find("a")->password;
    const auto& b = r.users.find("b")->password;
    REQUIRE(a.scram);
    REQUIRE(b.scram);
    CHECK(a.scram->verify_password("one"));
    CHECK(a.scram->salt != b.scram->salt);
    CHECK(a.scram->stored_key != b.scram->stored_key);
    CHECK_FALSE(r.users.find("c")->password.scram);
}
