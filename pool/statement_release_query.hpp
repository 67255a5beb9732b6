// Recognizes the simple queries that drop prepared statements (DEALLOCATE name,
// DEALLOCATE ALL, DISCARD ALL), which pgfront must see because the statements a client
// named live under other names on the servers. A light lexer, not a SQL parser: only a
// query that is exactly one such statement is recognized; any other query that might
// contain one is reported as `unclear` so the caller can stay on the safe side.
#pragma once

#include <string>
#include <string_view>

namespace pgfront::pool {

struct StatementReleaseQuery {
    enum class Kind { none, deallocate, deallocate_all, discard_all, unclear };
    Kind kind = Kind::none;
    std::string name;  // deallocate: the statement, case-folded as PostgreSQL folds it

    static StatementReleaseQuery classify(std::string_view sql);
};

}  // namespace pgfront::pool
