// Cancel forwarding (see cancel_forwarding.hpp).
#include "proxy/cancel_forwarding.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "protocol/message_writer.hpp"
#include "proxy/worker.hpp"

namespace pgfront::proxy {
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

asio::awaitable<void> forward_pooled_cancel(Worker& worker, CancelKey key) {
    constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
    const auto target = worker.services().cancels.find(key);
    if (!target || !target->server) co_return;
    const bool rewrite = target->server_pid != 0;
    protocol::ByteBuffer request;
    protocol::write_cancel_request(request, rewrite ? target->server_pid : static_cast<std::int32_t>(key.process_id),
                                   rewrite ? target->server_secret : key.secret);

    tcp::resolver resolver(worker.context());
    auto [rec, endpoints] = co_await resolver.async_resolve(target->server->host,
                                                            std::to_string(target->server->port), nothrow);
    if (rec) co_return;
    tcp::socket socket(worker.context());
    asio::steady_timer timeout(worker.context());
    timeout.expires_after(worker.config().listen.server_connect_timeout);
    auto connected = co_await (asio::async_connect(socket, endpoints, nothrow) || timeout.async_wait(nothrow));
    if (connected.index() != 0 || std::get<0>(std::get<0>(connected))) co_return;
    co_await asio::async_write(socket, asio::buffer(request), nothrow);
}

}  // namespace pgfront::proxy
