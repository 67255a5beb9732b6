// See statement_release_query.hpp.
#include "pool/statement_release_query.hpp"

#include <cctype>
#include <optional>

namespace pgfront::pool {
namespace {

class Lexer {
public:
    explicit Lexer(std::string_view sql) : sql_(sql) {}

    // Whitespace and comments ("--" to end of line, nested "/* */").
    void skip_blank() {
        for (;;) {
            while (pos_ < sql_.size() && std::isspace(static_cast<unsigned char>(sql_[pos_]))) ++pos_;
            if (sql_.substr(pos_, 2) == "--") {
                while (pos_ < sql_.size() && sql_[pos_] != '\n') ++pos_;
                continue;
            }
            if (sql_.substr(pos_, 2) == "/*") {
                int depth = 0;
                while (pos_ < sql_.size()) {
                    if (sql_.substr(pos_, 2) == "/*") {
                        ++depth;
                        pos_ += 2;
                    } else if (sql_.substr(pos_, 2) == "*/") {
                        pos_ += 2;
                        if (--depth == 0) break;
                    } else {
                        ++pos_;
                    }
                }
                continue;
            }
            return;
        }
    }

    // An identifier or keyword: unquoted ones fold to lower case, quoted ones keep case and
    // turn "" into ". nullopt when there is none here.
    std::optional<std::string> identifier() {
        skip_blank();
        if (pos_ >= sql_.size()) return std::nullopt;
        std::string out;
        if (sql_[pos_] == '"') {
            ++pos_;
            for (;;) {
                if (pos_ >= sql_.size()) return std::nullopt;
                if (sql_[pos_] == '"') {
                    if (pos_ + 1 < sql_.size() && sql_[pos_ + 1] == '"') {
                        out.push_back('"');
                        pos_ += 2;
                        continue;
                    }
                    ++pos_;
                    return out;
                }
                out.push_back(sql_[pos_++]);
            }
        }
        const auto start_char = static_cast<unsigned char>(sql_[pos_]);
        if (!(std::isalpha(start_char) || start_char == '_' || start_char >= 0x80)) return std::nullopt;
        while (pos_ < sql_.size()) {
            const auto c = static_cast<unsigned char>(sql_[pos_]);
            if (!(std::isalnum(c) || c == '_' || c == '$' || c >= 0x80)) break;
            out.push_back(static_cast<char>(c < 0x80 ? std::tolower(c) : c));
            ++pos_;
        }
        return out;
    }

    // Only blanks and semicolons remain.
    bool at_end() {
        for (;;) {
            skip_blank();
            if (pos_ < sql_.size() && sql_[pos_] == ';') {
                ++pos_;
                continue;
            }
            return pos_ >= sql_.size();
        }
    }

private:
    std::string_view sql_;
    std::size_t pos_ = 0;
};

bool starts_with_keyword(std::string_view sql, std::string_view keyword) {
    Lexer lexer(sql);
    const auto word = lexer.identifier();
    return word && *word == keyword;
}

// Whether any ';'-separated piece begins with DEALLOCATE or DISCARD. Splitting ignores
// quoting, so a ';' inside a literal can only make this say yes more often, never less.
bool may_release_statements(std::string_view sql) {
    std::size_t start = 0;
    for (;;) {
        const auto end = sql.find(';', start);
        const auto piece = sql.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (starts_with_keyword(piece, "deallocate") || starts_with_keyword(piece, "discard")) return true;
        if (end == std::string_view::npos) return false;
        start = end + 1;
    }
}

}  // namespace

StatementReleaseQuery StatementReleaseQuery::classify(std::string_view sql) {
    using Kind = StatementReleaseQuery::Kind;
    const auto unclear_or_none = [&] {
        return StatementReleaseQuery{may_release_statements(sql) ? Kind::unclear : Kind::none, {}};
    };
    Lexer lexer(sql);
    const auto first = lexer.identifier();
    if (!first) return unclear_or_none();
    if (*first == "discard") {
        const auto what = lexer.identifier();
        if (what && *what == "all" && lexer.at_end()) return {Kind::discard_all, {}};
        return unclear_or_none();
    }
    if (*first != "deallocate") return unclear_or_none();
    auto name = lexer.identifier();
    if (name && *name == "prepare") {
        // "DEALLOCATE PREPARE x", or a statement that is itself called prepare.
        Lexer rest = lexer;
        if (rest.at_end()) return {Kind::deallocate, "prepare"};
        name = lexer.identifier();
    }
    if (!name || !lexer.at_end()) return unclear_or_none();
    if (*name == "all") return {Kind::deallocate_all, {}};
    return {Kind::deallocate, std::move(*name)};
}

}  // namespace pgfront::pool
