// Identical parameter sets shared between clients. Almost every client of a pool ends its
// login with the same reported values (client_encoding, DateStyle, TimeZone, ...): a copy
// each costs ~600 bytes per idle client, a shared one 16. A client that changes a value
// gets its own set (or another shared one that matches). Single-threaded: one per worker.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "pool/session_parameters.hpp"

namespace pgfront::pool {

using SharedParameters = std::shared_ptr<const Parameters>;

class ParameterSetCache {
public:
    explicit ParameterSetCache(std::size_t capacity = 32) : capacity_(capacity) {}

    // The cached set equal to `parameters` (same names, values and order), or a new one.
    SharedParameters intern(Parameters parameters);

    std::size_t size() const { return sets_.size(); }

private:
    std::size_t capacity_;
    std::vector<SharedParameters> sets_;  // most recently used at the back
};

}  // namespace pgfront::pool
