// Which credentials a pool's next server logins use (pool/server_pool.hpp, keep_credentials).
#include <doctest/doctest.h>

#include "pool/server_pool.hpp"

using pgfront::pool::keep_credentials;
using pgfront::pool::ServerLogin;

namespace {
ServerLogin scram_client_login() {
    ServerLogin login;
    login.user = "app";
    login.database = "appdb";
    pgfront::auth::ScramKeys keys{};
    keys.client_key[0] = 1;
    keys.server_key[0] = 2;
    login.scram_keys = keys;
    return login;
}
}  // namespace

TEST_CASE("a login without credentials keeps the ones the pool knows") {
    ServerLogin trusted;  // a client an hba trust rule let in
    trusted.user = "app";
    trusted.database = "appdb";
    keep_credentials(trusted, scram_client_login());
    REQUIRE(trusted.scram_keys);
    CHECK(trusted.scram_keys->client_key[0] == 1);
    CHECK(trusted.scram_keys->server_key[0] == 2);
    CHECK_FALSE(trusted.password);
}

TEST_CASE("a login with credentials of its own keeps them") {
    ServerLogin plain;
    plain.password = "newpass";  // e.g. a cleartext client after a password change
    keep_credentials(plain, scram_client_login());
    CHECK(plain.password == "newpass");
    CHECK_FALSE(plain.scram_keys);

    auto later = scram_client_login();
    later.scram_keys->client_key[0] = 9;
    ServerLogin known;
    known.password = "oldpass";
    keep_credentials(later, known);
    CHECK(later.scram_keys->client_key[0] == 9);
    CHECK_FALSE(later.password);
}

TEST_CASE("nothing known, nothing kept") {
    ServerLogin trusted;
    keep_credentials(trusted, ServerLogin{});
    CHECK_FALSE(trusted.password);
    CHECK_FALSE(trusted.scram_keys);
}
