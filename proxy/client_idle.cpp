// Idle client timeouts (see client_idle.hpp).
#include "proxy/client_idle.hpp"

#include <algorithm>

#include "protocol/pipeline_tracker.hpp"
#include "protocol/sqlstate.hpp"

namespace pgfront::proxy {

// A batch without its Sync (or a Flush-ed one, answered) keeps the server inside the batch's
// transaction and waiting for the client, exactly like an open BEGIN: a client that stops
// there holds its server as long, so idle_transaction_timeout applies. An error in the batch
// leaves the server discarding until Sync: the same. Only a server still answering, or a
// COPY under way, means the client is not idle.
ClientWait client_wait(const protocol::PipelineTracker* server) {
    if (!server) return ClientWait::idle;
    if (server->replies_due() || server->in_copy()) return ClientWait::busy;
    if (server->at_boundary()) return ClientWait::idle;
    return ClientWait::idle_in_transaction;
}

std::optional<IdleExpiry> idle_expiry(ClientWait wait, std::chrono::milliseconds waited,
                                      const IdleTimeouts& timeouts) {
    switch (wait) {
        case ClientWait::busy:
            return std::nullopt;
        case ClientWait::idle:
            if (timeouts.client_idle.count() > 0 && waited >= timeouts.client_idle)
                return IdleExpiry{protocol::sqlstate::idle_session_timeout,
                                  "terminating connection due to idle-session timeout "
                                  "(pool.client_idle_timeout)"};
            return std::nullopt;
        case ClientWait::idle_in_transaction:
            if (timeouts.idle_transaction.count() > 0 && waited >= timeouts.idle_transaction)
                return IdleExpiry{protocol::sqlstate::idle_in_transaction_session_timeout,
                                  "terminating connection due to idle-in-transaction timeout "
                                  "(pool.idle_transaction_timeout)"};
            return std::nullopt;
    }
    return std::nullopt;
}

std::chrono::milliseconds idle_sweep_interval(const IdleTimeouts& timeouts) {
    auto shortest = std::chrono::milliseconds::max();
    for (const auto t : {timeouts.client_idle, timeouts.idle_transaction})
        if (t.count() > 0) shortest = std::min(shortest, t);
    if (shortest == std::chrono::milliseconds::max()) return std::chrono::milliseconds(1000);
    return std::clamp(shortest / 4, std::chrono::milliseconds(25), std::chrono::milliseconds(1000));
}

}  // namespace pgfront::proxy
