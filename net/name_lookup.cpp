#include "net/name_lookup.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <thread>

#include "net/cross_thread_inbox.hpp"

namespace pgfront::net {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// One locked context and thread for every lookup in the process. Made on first use and never
// destroyed: a lookup may still be running when the process exits.
class LookupThread {
public:
    LookupThread() : guard_(asio::make_work_guard(context_)), thread_([this] { context_.run(); }) {
        thread_.detach();
    }

    template <class Done>
    void start(std::string host, std::uint16_t port, Done done) {
        auto resolver = std::make_shared<tcp::resolver>(context_);
        auto& r = *resolver;
        r.async_resolve(host, std::to_string(port),
                        [resolver, done = std::move(done)](const boost::system::error_code& ec,
                                                           tcp::resolver::results_type results) mutable {
                            LookupResult result{ec, {}};
                            if (!ec)
                                for (const auto& entry : results) result.endpoints.push_back(entry.endpoint());
                            if (!ec && result.endpoints.empty()) result.error = asio::error::host_not_found;
                            done(std::move(result));
                        });
    }

private:
    asio::io_context context_{1};
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    std::thread thread_;
};

LookupThread& lookup_thread() {
    static auto* thread = new LookupThread;
    return *thread;
}

}  // namespace

asio::awaitable<LookupResult> look_up(std::string host, std::uint16_t port) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (!ec) co_return LookupResult{{}, {tcp::endpoint(address, port)}};
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>, void(LookupResult)>(
        [&host, port](auto handler) {
            ReturnAddress back(asio::get_associated_executor(handler));
            lookup_thread().start(host, port,
                                  [back = std::move(back), handler = std::move(handler)](LookupResult result) mutable {
                                      back.post([handler = std::move(handler), result = std::move(result)]() mutable {
                                          std::move(handler)(std::move(result));
                                      });
                                  });
        },
        asio::use_awaitable);
}

}  // namespace pgfront::net
