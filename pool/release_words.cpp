// DEALLOCATE / DISCARD spotting (see release_words.hpp).
#include "pool/release_words.hpp"

#include <algorithm>
#include <array>

namespace pgfront::pool {
namespace {

// Prefixes enough to catch every spelling PostgreSQL accepts (DEALLOCATE PREPARE, DISCARD ALL).
constexpr std::array<std::string_view, 2> release_words{"dealloc", "discard"};
constexpr std::size_t longest_word = 7;

bool contains_word_ci(std::string_view text, std::string_view lower_word) {
    if (text.size() < lower_word.size()) return false;
    for (std::size_t i = 0; i + lower_word.size() <= text.size(); ++i) {
        if ((text[i] | 0x20) != lower_word[0]) continue;
        std::size_t j = 1;
        while (j < lower_word.size() && (text[i + j] | 0x20) == lower_word[j]) ++j;
        if (j == lower_word.size()) return true;
    }
    return false;
}

}  // namespace

bool mentions_release_word(std::string_view text) {
    return std::any_of(release_words.begin(), release_words.end(),
                       [text](std::string_view word) { return contains_word_ci(text, word); });
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
