// Idle client timeouts: which wait is closed after which timeout, with which SQLSTATE, and
// how often the sweep looks.
#include "proxy/client_idle.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "protocol/pipeline_tracker.hpp"

using namespace pgfront::proxy;
using namespace std::chrono_literals;
using pgfront::protocol::PipelineTracker;

namespace {
// ">X" forwards the client's message X, "<X" delivers the server's; "<Z:T" is ReadyForQuery 'T'.
// Other payloads are empty (an ErrorResponse has its severity): the tracker reads no more.
PipelineTracker after(std::string_view script) {
    using namespace std::string_literals;
    const auto error = "SERROR\0VERROR\0CXX000\0Mboom\0\0"s;
    PipelineTracker t;
    std::istringstream tokens{std::string(script)};
    std::string token;
    while (tokens >> token) {
        const std::string status = token.size() > 3 ? token.substr(3) : std::string("I");
        auto payload = std::span<const std::byte>{};
        if (token[1] == 'Z') payload = std::as_bytes(std::span(status));
        if (token[0] == '<' && token[1] == 'E') payload = std::as_bytes(std::span(error));
        const auto result = token[0] == '>' ? t.on_frontend(token[1], payload) : t.on_backend(token[1], payload);
        REQUIRE_MESSAGE(result.ok, token);
    }
    return t;
}

ClientWait wait_after(std::string_view script) {
    const auto tracker = after(script);
    return client_wait(&tracker);
}
}  // namespace

TEST_CASE("a client is idle in a transaction while its server waits for it inside one") {
    CHECK(client_wait(nullptr) == ClientWait::idle);
    CHECK(wait_after("") == ClientWait::idle);
    CHECK(wait_after(">Q") == ClientWait::busy);
    CHECK(wait_after(">Q <C <Z:I") == ClientWait::idle);
    CHECK(wait_after(">Q <C <Z:T") == ClientWait::idle_in_transaction);
    CHECK(wait_after(">Q <C <Z:T >Q <E <Z:E") == ClientWait::idle_in_transaction);
    // Extended protocol: the server answers nothing before Sync or Flush, and a batch
    // without its Sync holds the server inside the batch's transaction.
    CHECK(wait_after(">P >B >E") == ClientWait::idle_in_transaction);
    CHECK(wait_after(">P >B >E >S") == ClientWait::busy);
    CHECK(wait_after(">P >B >E >S <1 <2 <C <Z:I") == ClientWait::idle);
    CHECK(wait_after(">P >B >E >H") == ClientWait::busy);
    CHECK(wait_after(">P >B >E >H <1 <2 <C") == ClientWait::idle_in_transaction);
    CHECK(wait_after(">P >B >E >H <1 <E") == ClientWait::idle_in_transaction);  // skipping to Sync
    // COPY FROM STDIN: the server waits for the client's data, but a COPY is work, not idling.
    CHECK(wait_after(">Q <G") == ClientWait::busy);
    CHECK(wait_after(">Q <G >d") == ClientWait::busy);
}

TEST_CASE(
    "idle clients expire after client_idle_timeout, idle transactions after "
    "idle_transaction_timeout") {
    const IdleTimeouts t{10s, 2s};
    CHECK_FALSE(idle_expiry(ClientWait::idle, 9999ms, t));
    auto idle = idle_expiry(ClientWait::idle, 10s, t);
    REQUIRE(idle);
    CHECK(idle->sqlstate == "57P05");
    CHECK(idle->message.find("pool.client_idle_timeout") != std::string_view::npos);
    CHECK_FALSE(idle_expiry(ClientWait::idle_in_transaction, 1999ms, t));
    auto in_tx = idle_expiry(ClientWait::idle_in_transaction, 2s, t);
    REQUIRE(in_tx);
    CHECK(in_tx->sqlstate == "25P03");
    CHECK_FALSE(idle_expiry(ClientWait::busy, 1h, t));
}

TEST_CASE("a timeout of 0 is off") {
    const IdleTimeouts off{};
    CHECK_FALSE(off.any());
    CHECK_FALSE(idle_expiry(ClientWait::idle, 24h, off));
    CHECK_FALSE(idle_expiry(ClientWait::idle_in_transaction, 24h, off));
    const IdleTimeouts only_tx{0s, 1s};
    CHECK(only_tx.any());
    CHECK_FALSE(idle_expiry(ClientWait::idle, 24h, only_tx));
}

TEST_CASE("the sweep runs at a quarter of the shortest timeout, within 25 ms and 1 s") {
    CHECK(idle_sweep_interval({8s, 2s}) == 500ms);
    CHECK(idle_sweep_interval({60s, 0s}) == 1s);
    CHECK(idle_sweep_interval({0s, 40ms}) == 25ms);
    CHECK(idle_sweep_interval({}) == 1s);
}
