// Cancel forwarding (see cancel_forwarding.hpp).
#include "proxy/cancel_forwarding.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "net/completion_tokens.hpp"
#include "net/cross_thread_inbox.hpp"
#include "net/name_lookup.hpp"
#include "protocol/message_writer.hpp"
#include "proxy/worker.hpp"

namespace pgfront::proxy {
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

// Asks the worker that owns a pooled session which server it leases now; the answer comes back
// on the caller's executor.
template <class CompletionToken>
auto async_owner_target(Worker& owner, std::uint64_t session, CompletionToken&& token) {
    return asio::async_initiate<CompletionToken, void(std::optional<CancelTarget>)>(
        [&owner, session](auto handler) {
            net::ReturnAddress back(asio::get_associated_executor(handler));
            owner.post_from_any_thread([&owner, session, back, handler = std::move(handler)]() mutable {
                auto target = owner.cancel_target_of(session);
                back.post([handler = std::move(handler), target = std::move(target)]() mutable {
                    std::move(handler)(std::move(target));
                });
            });
        },
        token);
}

}  // namespace

asio::awaitable<void> forward_pooled_cancel(Worker& worker, CancelKey key) {
    using net::nothrow;
    auto target = worker.services().cancels.find(key);
    if (target && target->owner_worker >= 0) {
        const auto& workers = worker.services().workers;
        if (static_cast<std::size_t>(target->owner_worker) >= workers.size()) co_return;
        spdlog::debug("cancel request for session id={} of worker {} arrived at worker {}", target->owner_session,
                      target->owner_worker, worker.index());
        target = co_await async_owner_target(*workers[static_cast<std::size_t>(target->owner_worker)],
                                             target->owner_session, asio::use_awaitable);
    }
    if (!target || !target->server) co_return;
    const bool rewrite = target->server_pid != 0;
    protocol::ByteBuffer request;
    protocol::write_cancel_request(request, rewrite ? target->server_pid : static_cast<std::int32_t>(key.process_id),
                                   rewrite ? target->server_secret : key.secret);

    const auto [rec, endpoints] = co_await net::look_up(target->server->host, target->server->port);
    if (rec) co_return;
    tcp::socket socket(worker.context());
    asio::steady_timer timeout(worker.context());
    timeout.expires_after(worker.config().listen.server_connect_timeout);
    auto connected = co_await (asio::async_connect(socket, endpoints, nothrow) || timeout.async_wait(nothrow));
    if (connected.index() != 0 || std::get<0>(std::get<0>(connected))) co_return;
    co_await asio::async_write(socket, asio::buffer(request), nothrow);
}

}  // namespace pgfront::proxy
