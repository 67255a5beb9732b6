// Sends a client's CancelRequest on to the server its key leads to (see CancelDirectory).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "proxy/cancel_directory.hpp"

namespace pgfront::proxy {

class Worker;

// PostgreSQL answers every cancel with silence, known key or not; so does this.
boost::asio::awaitable<void> forward_pooled_cancel(Worker& worker, CancelKey key);

}  // namespace pgfront::proxy
