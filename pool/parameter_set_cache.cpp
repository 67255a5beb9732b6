#include "pool/parameter_set_cache.hpp"

#include <algorithm>

namespace pgfront::pool {

SharedParameters ParameterSetCache::intern(Parameters parameters) {
    const auto found = std::find_if(sets_.rbegin(), sets_.rend(),
                                    [&](const SharedParameters& set) { return *set == parameters; });
    if (found != sets_.rend()) {
        auto set = *found;
        // Keep the hit at the back so the sets in use stay while rare ones are evicted.
        std::rotate(found.base() - 1, found.base(), sets_.end());
        return set;
    }
    if (sets_.size() >= capacity_) {
        // Drop a set no client uses any more, else the least recently used one (its clients
        // keep their copy; only the sharing with later clients is lost).
        const auto unused = std::find_if(sets_.begin(), sets_.end(),
                                         [](const SharedParameters& set) { return set.use_count() == 1; });
        sets_.erase(unused != sets_.end() ? unused : sets_.begin());
    }
    auto set = std::make_shared<const Parameters>(std::move(parameters));
    sets_.push_back(set);
    return set;
}

}  // namespace pgfront::pool
