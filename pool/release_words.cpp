// DEALLOCATE / DISCARD spotting (see release_words.hpp).
#include "pool/release_words.hpp"

#include <algorithm>

namespace pgfront::pool {
namespace {

// Prefixes enough to catch every spelling PostgreSQL accepts (DEALLOCATE PREPARE, DISCARD ALL).
// Both start with 'd': one pass over the text finds either (every simple query is checked).
constexpr std::string_view dealloc_rest = "ealloc";
constexpr std::string_view discard_rest = "iscard";
constexpr std::size_t longest_word = 7;

// `lower_rest` is lower-case ASCII letters only, so `c | 0x20` matches exactly a letter in
// either case (tolower() would be a locale-aware call, on every simple query).
bool rest_matches_ci(std::string_view text, std::string_view lower_rest) {
    for (std::size_t j = 0; j < lower_rest.size(); ++j)
        if ((text[j] | 0x20) != lower_rest[j]) return false;
    return true;
}

}  // namespace

bool mentions_release_word(std::string_view text) {
    if (text.size() < longest_word) return false;
    const auto last_start = text.size() - longest_word;
    for (std::size_t i = 0; i <= last_start; ++i) {
        if ((text[i] | 0x20) != 'd') continue;
        const auto rest = text.substr(i + 1, longest_word - 1);
        if (rest_matches_ci(rest, dealloc_rest) || rest_matches_ci(rest, discard_rest)) return true;
    }
    return false;
}

void ReleaseWordWatch::feed(protocol::Bytes piece) {
    const auto skipped = std::min(skip_, piece.size());
    skip_ -= skipped;
    const auto text = protocol::as_text(piece.subspan(skipped));
    if (seen_ || text.empty()) return;
    // Across the seam: the previous tail and as much of this piece as a word could still need.
    std::string seam = tail_;
    seam.append(text.substr(0, longest_word - 1));
    seen_ = mentions_release_word(seam) || mentions_release_word(text);
    constexpr std::size_t keep = longest_word - 1;
    if (text.size() >= keep) {
        tail_.assign(text.substr(text.size() - keep));
    } else {
        tail_ = std::move(seam);  // the old tail and all of this short piece
        if (tail_.size() > keep) tail_.erase(0, tail_.size() - keep);
    }
}

}  // namespace pgfront::pool
