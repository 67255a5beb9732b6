// The completion tokens pgfront's coroutines await with: errors come back as values (a
// failed read or write is an ordinary outcome for a proxy, never an exception).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pgfront::net {

// For any awaited operation.
constexpr auto nothrow = boost::asio::as_tuple(boost::asio::use_awaitable);
// Awaited as an operation, without the coroutine frame use_awaitable makes per call: for the
// reads and writes of every transaction.
constexpr auto deferred_nothrow = boost::asio::as_tuple(boost::asio::deferred);

}  // namespace pgfront::net
