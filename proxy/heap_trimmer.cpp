#include "proxy/heap_trimmer.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>

namespace pgfront::proxy {

void HeapTrimmer::schedule() {
    scheduled_ = true;
    timer_.expires_after(settle);
    // The trimmer lives as long as its worker's event loop, so `this` outlives the wait.
    timer_.async_wait([this](boost::system::error_code ec) {
        scheduled_ = false;
        if (ec) return;
        const auto from = high_water_;
        high_water_ = sessions_now_;
        const bool released = malloc_trim(0) != 0;
        spdlog::debug("heap trimmed after clients left: sessions {} -> {}, memory released={}", from,
                      sessions_now_, released);
    });
}

}  // namespace pgfront::proxy
