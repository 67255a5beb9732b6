// Which simple queries drop prepared statements.
#include <doctest/doctest.h>

#include "pool/statement_release_query.hpp"

using pgfront::pool::StatementReleaseQuery;
using Kind = StatementReleaseQuery::Kind;

TEST_CASE("DEALLOCATE forms") {
    auto q = StatementReleaseQuery::classify("DEALLOCATE foo");
    CHECK(q.kind == Kind::deallocate);
    CHECK(q.name == "foo");
    q = StatementReleaseQuery::classify("  deallocate PREPARE Foo ;  ");
    CHECK(q.kind == Kind::deallocate);
    CHECK(q.name == "foo");  // unquoted names fold to lower case
    q = StatementReleaseQuery::classify("DEALLOCATE \"My\"\"Stmt\"");
    CHECK(q.kind == Kind::deallocate);
    CHECK(q.name == "My\"Stmt");
    q = StatementReleaseQuery::classify("deallocate prepare");
    CHECK(q.kind == Kind::deallocate);
    CHECK(q.name == "prepare");
    CHECK(StatementReleaseQuery::classify("/* c */ DEALLOCATE -- x\n ALL").kind == Kind::deallocate_all);
    CHECK(StatementReleaseQuery::classify("DEALLOCATE PREPARE ALL;").kind == Kind::deallocate_all);
}

TEST_CASE("DISCARD ALL and other DISCARDs") {
    CHECK(StatementReleaseQuery::classify("discard all").kind == Kind::discard_all);
    CHECK(StatementReleaseQuery::classify("DISCARD PLANS").kind == Kind::unclear);
    CHECK(StatementReleaseQuery::classify("DISCARD ALL; SELECT 1").kind == Kind::unclear);
}

TEST_CASE("queries that merely mention the words are not releases") {
    CHECK(StatementReleaseQuery::classify("SELECT 'deallocate'").kind == Kind::none);
    CHECK(StatementReleaseQuery::classify("SELECT * FROM discarded").kind == Kind::none);
    CHECK(StatementReleaseQuery::classify("").kind == Kind::none);
    // A release hidden after another statement can't be followed exactly.
    CHECK(StatementReleaseQuery::classify("SELECT 1; deallocate x").kind == Kind::unclear);
}
