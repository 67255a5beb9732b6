// When an idle pooled client is closed: pool.client_idle_timeout for a client that sends
// nothing while outside a transaction, pool.idle_transaction_timeout for one that sends
// nothing inside a transaction (it holds a server connection the whole time). The SQLSTATEs
// are PostgreSQL's own for its idle_session_timeout and idle_in_transaction_session_timeout,
// so drivers already know what they mean. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pgfront::protocol {
class PipelineTracker;
}

namespace pgfront::proxy {

enum class ClientWait : std::uint8_t {
    busy,                 // not waiting for the client (or the client is mid-COPY)
    idle,                 // waiting for the client's next request, outside a transaction
    idle_in_transaction,  // waiting for the client's next request inside a transaction
};

// What a wait for the client's next message is, given the server it holds (null: none).
ClientWait client_wait(const protocol::PipelineTracker* server);

struct IdleTimeouts {
    std::chrono::milliseconds client_idle{0};       // 0: off
    std::chrono::milliseconds idle_transaction{0};  // 0: off
    bool any() const { return client_idle.count() > 0 || idle_transaction.count() > 0; }
};

struct IdleExpiry {
    std::string_view sqlstate;
    std::string_view message;
};

// What to tell a client that has waited `waited` in state `wait`, if it is to be closed.
std::optional<IdleExpiry> idle_expiry(ClientWait wait, std::chrono::milliseconds waited,
                                      const IdleTimeouts& timeouts);

// How often to look for expired clients: a quarter of the shortest timeout, between 25 ms and
// 1 s, so a client is closed at most ~25% late.
std::chrono::milliseconds idle_sweep_interval(const IdleTimeouts& timeouts);

}  // namespace pgfront::proxy
