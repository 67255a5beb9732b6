// Host name to addresses, for code running on an unlocked worker context. Asio's resolver
// refuses to run there (its background thread posts back through the locked scheduler), so a
// name goes to one process-wide lookup thread and the answer comes back through the caller's
// CrossThreadInbox. A numeric address needs no lookup and is answered at once.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pgfront::net {

struct LookupResult {
    boost::system::error_code error;
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;  // empty when error is set
};

boost::asio::awaitable<LookupResult> look_up(std::string host, std::uint16_t port);

}  // namespace pgfront::net
