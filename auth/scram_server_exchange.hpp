// ScramServerExchange: pgfront authenticating a client with SCRAM-SHA-256, the server side of
// RFC 5802/7677 as PostgreSQL does it (auth-scram.c): no channel binding offered, the user
// name in client-first-message ignored (the startup packet's user counts).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/crypto.hpp"
#include "auth/random_source.hpp"
#include "auth/result.hpp"
#include "auth/scram_error.hpp"
#include "auth/scram_keys.hpp"
#include "auth/scram_secret.hpp"

namespace pgfront::auth {

class ScramServerExchange {
  public:
    // `server_nonce`: printable, non-empty, e.g. make_scram_nonce(random). A bad nonce is a
    // bug and throws std::invalid_argument.
    ScramServerExchange(ScramSecret secret, std::string server_nonce);

    // The user's password is stored in plaintext: derive a secret with a random salt and
    // `iterations`, as PgBouncer does.
    static ScramServerExchange from_password(std::string_view password, RandomSource& random,
                                             int iterations = kScramDefaultIterations);
    // No usable secret (unknown user, or only an md5 hash stored while the rule demands SCRAM):
    // the exchange runs like a real one with ScramSecret::mock(user, mock_key) and fails with
    // invalid_proof at the end, so the client cannot tell why.
    static ScramServerExchange mock(std::string_view user, ByteView mock_key,
                                    std::string server_nonce);

    // First call: client-first-message (SASLInitialResponse data) -> server-first-message.
    // Second call: client-final-message (SASLResponse) -> server-final-message, sent in
    // AuthenticationSASLFinal and followed by AuthenticationOk. Any error ends the exchange.
    Result<std::string, ScramError> step(std::string_view client_message);

    bool succeeded() const { return state_ == State::succeeded; }
    bool finished() const { return state_ == State::succeeded || state_ == State::failed; }

    // After success: the ClientKey the proof revealed and the secret's ServerKey, salt and
    // iteration count — enough to log in to PostgreSQL as this user (ScramClientExchange) when
    // the server stores the same secret.
    const std::optional<ScramKeys>& client_keys() const { return keys_; }

  private:
    enum class State { expect_client_first, expect_client_final, succeeded, failed };

    Result<std::string, ScramError> on_client_first(std::string_view message);
    Result<std::string, ScramError> on_client_final(std::string_view message);
    ScramError fail(ScramErrc code, std::string detail);

    ScramSecret secret_;
    std::string server_nonce_;
    bool doomed_ = false;
    State state_ = State::expect_client_first;
    std::string gs2_header_;
    std::string client_first_bare_;
    std::string server_first_;
    std::string nonce_;  // client nonce + server nonce
    std::optional<ScramKeys> keys_;
};

}  // namespace pgfront::auth
