// ScramClientExchange: pgfront logging in to PostgreSQL with SCRAM-SHA-256 (RFC 5802/7677,
// no channel binding: gs2 header "n,,"), from a plaintext password or from ScramKeys that a
// verified client login revealed (the auth_query pass-through PgBouncer also does).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/result.hpp"
#include "auth/scram_error.hpp"
#include "auth/scram_keys.hpp"

namespace pgfront::auth {

class ScramClientExchange {
  public:
    // `client_nonce`: printable, non-empty, e.g. make_scram_nonce(random); a bad one is a bug
    // and throws std::invalid_argument. `user` goes into client-first-message's n= (encoded as
    // a saslname); PostgreSQL ignores it and libpq sends it empty, the default.
    static ScramClientExchange with_password(std::string_view password, std::string client_nonce,
                                             std::string_view user = {});
    // The server's salt and iteration count do not matter (the keys embody them) unless
    // `keys.salt`/`keys.iterations` are set: then a server offering others fails the exchange
    // with server_secret_mismatch before any proof is sent.
    static ScramClientExchange with_keys(ScramKeys keys, std::string client_nonce,
                                         std::string_view user = {});

    // client-first-message for SASLInitialResponse: "n,,n=<user>,r=<nonce>".
    const std::string& first() const { return client_first_; }

    // server-first-message (AuthenticationSASLContinue) -> client-final-message with proof.
    Result<std::string, ScramError> step(std::string_view server_first);

    // server-final-message (AuthenticationSASLFinal): nullopt when v= is the ServerSignature
    // we expect, i.e. the server knows the secret; else the error.
    std::optional<ScramError> verify(std::string_view server_final);

    bool succeeded() const { return state_ == State::succeeded; }

  private:
    enum class State { expect_server_first, expect_server_final, succeeded, failed };

    ScramClientExchange(std::string client_nonce, std::string_view user,
                        std::optional<std::string> password, std::optional<ScramKeys> keys);
    ScramError fail(ScramErrc code, std::string detail);

    std::string client_nonce_;
    std::optional<std::string> password_;
    std::optional<ScramKeys> keys_;
    std::string client_first_;
    State state_ = State::expect_server_first;
    ScramKey expected_server_signature_{};
};

// server-first-message's r= must extend our nonce with the server's part (libpq accepts an
// empty server part; we do not: RFC 5802 says the server appends its own).
bool scram_nonce_extends(std::string_view combined, std::string_view client_nonce);

// RFC 5802 saslname: ',' as "=2C" and '=' as "=3D".
std::string scram_encode_saslname(std::string_view name);

}  // namespace pgfront::auth
