// Which authentication exchange to run with a client, from the HBA rule's method and what is
// stored for the user — PostgreSQL's choice (auth.c, CheckPWChallengeAuth), including its
// "go through the motions" for users who cannot succeed, so failures look alike.
#pragma once

#include <optional>
#include <string_view>

#include "auth/hba_rules.hpp"
#include "auth/stored_password.hpp"

namespace pgfront::auth {

enum class ClientMethod {
    trust,               // AuthenticationOk at once
    reject,              // 28000: rejected by the HBA rule, no exchange
    cleartext_password,  // AuthenticationCleartextPassword; verify_cleartext_password
    md5,                 // AuthenticationMD5Password; md5_verify_response*
    scram_sha_256,       // AuthenticationSASL; ScramServerExchange (mock() when doomed)
};

std::string_view to_string(ClientMethod method);

struct MethodChoice {
    ClientMethod method = ClientMethod::reject;
    // Run the exchange, then fail it with 28P01 whatever the client sends (as PostgreSQL does
    // for a missing user or an unusable stored password): the client cannot tell why.
    bool doomed = false;
    std::string_view log_detail;  // why doomed, for the server log only; empty otherwise
};

// `stored`: nullopt when the user is unknown (not in auth_file, auth_query found no row).
//   method         | plain     | md5 hash        | SCRAM secret | unknown user
//   trust          | trust     | trust           | trust        | trust
//   reject         | reject    | reject          | reject       | reject
//   password       | cleartext | cleartext       | cleartext    | cleartext, doomed
//   md5            | md5       | md5             | SCRAM        | SCRAM, doomed
//   scram-sha-256  | SCRAM     | SCRAM, doomed   | SCRAM        | SCRAM, doomed
// md5 with a SCRAM secret uses SCRAM because an md5 answer cannot be checked against it; an
// unknown user under md5 gets SCRAM as PostgreSQL 14+ does with its default
// password_encryption; scram-sha-256 with only an md5 hash stored cannot succeed (PostgreSQL:
// "User does not have a valid SCRAM secret").
MethodChoice choose_client_method(HbaMethod hba_method, std::optional<PasswordKind> stored);

}  // namespace pgfront::auth
