// The words that may make a simple query drop prepared statements (DEALLOCATE, DISCARD),
// looked for case-insensitively anywhere in its text, in a whole query or in one passing in
// pieces. A query without them certainly drops none; one with them is looked at closer
// (pool/statement_release_query.hpp) when it is held whole.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "protocol/bytes.hpp"

namespace pgfront::pool {

bool mentions_release_word(std::string_view text);

// The same question for a message that passes in pieces: feed it every byte in order.
class ReleaseWordWatch {
public:
    // `skip`: leading bytes that are not text (a message's type and length word).
    explicit ReleaseWordWatch(std::size_t skip = 0) : skip_(skip) {}

    void feed(protocol::Bytes piece);
    bool seen() const { return seen_; }

private:
    std::size_t skip_;
    std::string tail_;  // the last bytes fed, shorter than a word: one may straddle two pieces
    bool seen_ = false;
};

}  // namespace pgfront::pool
