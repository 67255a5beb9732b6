// Traffic counters of one pool (route, node, database, user) on one worker thread. Only that
// worker's event loop writes them, so they are plain integers: no atomics, no locks on the hot
// path. The admin side reads them through a snapshot taken on the same loop and adds up the
// workers' copies (merge).
#pragma once

#include <cstdint>

#include "metrics/duration_histogram.hpp"

namespace pgfront::pool {

struct PoolStats {
    std::uint64_t transactions = 0;    // ReadyForQuery back at idle ('I')
    std::uint64_t queries = 0;         // every ReadyForQuery (a simple query or a Sync)
    std::uint64_t bytes_received = 0;  // from clients
    std::uint64_t bytes_sent = 0;      // to clients
    metrics::DurationHistogram wait_seconds;         // from asking the pool for a server to having one
    metrics::DurationHistogram transaction_seconds;  // from a transaction's first message to its end

    void merge(const PoolStats& other) {
        transactions += other.transactions;
        queries += other.queries;
        bytes_received += other.bytes_received;
        bytes_sent += other.bytes_sent;
        wait_seconds.merge(other.wait_seconds);
        transaction_seconds.merge(other.transaction_seconds);
    }
};

}  // namespace pgfront::pool
