// net::look_up: a numeric address is answered at once; a name goes to the lookup thread and
// comes back through the inbox of an unlocked context (Asio's resolver refuses to run there).
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <optional>

#include "net/cross_thread_inbox.hpp"
#include "net/name_lookup.hpp"

namespace asio = boost::asio;
using pgfront::net::CrossThreadInbox;

TEST_CASE("look_up: a numeric address at once, a name through the lookup thread back to an unlocked context") {
    asio::io_context context{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
    asio::make_service<CrossThreadInbox>(context);
    std::optional<pgfront::net::LookupResult> numeric, named;
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
            numeric = co_await pgfront::net::look_up("198.18.0.7", 5432);
            // /etc/hosts answers "localhost": no packet leaves the machine.
            named = co_await pgfront::net::look_up("localhost", 6543);
            context.stop();  // the inbox's wait would keep run_for going to its end
        },
        asio::detached);
    context.run_for(std::chrono::seconds(10));
    REQUIRE(numeric);
    CHECK_FALSE(numeric->error);
    REQUIRE(numeric->endpoints.size() == 1);
    CHECK(numeric->endpoints[0].address().to_string() == "198.18.0.7");
    CHECK(numeric->endpoints[0].port() == 5432);
    REQUIRE(named);
    CHECK_FALSE(named->error);
    REQUIRE_FALSE(named->endpoints.empty());
    for (const auto& endpoint : named->endpoints) {
        CHECK(endpoint.address().is_loopback());
        CHECK(endpoint.port() == 6543);
    }
}
