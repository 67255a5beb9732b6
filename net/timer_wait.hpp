// A timer wait to co_await on a hot path: as an operation (no coroutine frame for its
// initiation, which use_awaitable makes per call), with the wait's memory from the
// per-thread operation lists (net/operation_memory.hpp) rather than Asio's two-block cache.
// Completes with std::tuple<error_code>.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/system/error_code.hpp>
#include <utility>

#include "net/completion_tokens.hpp"
#include "net/operation_memory.hpp"

namespace pgfront::net {

template <typename Timer>
auto recycled_wait(Timer& timer) {
    return boost::asio::async_initiate<decltype(deferred_nothrow), void(boost::system::error_code)>(
        [&timer](auto&& handler) {
            timer.async_wait(
                boost::asio::bind_allocator(OperationAllocator<void>{}, std::forward<decltype(handler)>(handler)));
        },
        deferred_nothrow);
}

}  // namespace pgfront::net
