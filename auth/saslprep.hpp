// SASLprep (RFC 4013) of a password before SCRAM hashes it, with PostgreSQL's fallback: when
// the password is not valid UTF-8 or preparation fails, the raw bytes are used unchanged.
//
// What is implemented, in PostgreSQL's order (src/common/saslprep.c, behaviour only):
//   - pure ASCII: returned unchanged (no further steps, as PostgreSQL does);
//   - invalid UTF-8 (RFC 3629: overlongs, surrogates, > U+10FFFF): raw bytes;
//   - mapping: non-ASCII spaces (RFC 3454 C.1.2) to U+0020, "commonly mapped to nothing"
//     (B.1) removed; an empty result is prohibited;
//   - prohibited output (C.1.2, C.2.1, C.2.2, C.3-C.9), checked on the mapped characters as
//     PostgreSQL does: raw bytes.
// The gap, stated plainly: NFKC normalization, the unassigned-code-point check (A.1) and the
// bidirectional rule (RandALCat/LCat, section 6) are NOT implemented. A password whose
// characters NFKC would change (compatibility characters such as full-width letters,
// ligatures, superscripts; decomposed accents), that contains code points unassigned in
// Unicode 3.2, or that mixes right-to-left with left-to-right letters, hashes differently
// here than in PostgreSQL and libpq. This only matters where pgfront hashes a plaintext
// password itself (plaintext in auth_file, plaintext server password); SCRAM secrets made by
// PostgreSQL and the ClientKey pass-through are unaffected. Such passwords are flagged with
// SaslPrepOutcome::not_normalized so the caller can warn.
#pragma once

#include <string>
#include <string_view>

namespace pgfront::auth {

enum class SaslPrepOutcome {
    ascii,           // unchanged, exactly what PostgreSQL does
    prepared,        // mapped; every code point <= U+00FF and NFKC-stable: same as PostgreSQL
    not_normalized,  // mapped, but contains code points NFKC might change: may differ
    invalid_utf8,    // raw bytes, as PostgreSQL
    prohibited,      // raw bytes, as PostgreSQL
};

struct SaslPrepResult {
    std::string password;  // the bytes SCRAM hashes (prepared, or the raw input on fallback)
    SaslPrepOutcome outcome = SaslPrepOutcome::ascii;
};

SaslPrepResult saslprep(std::string_view password);

}  // namespace pgfront::auth
