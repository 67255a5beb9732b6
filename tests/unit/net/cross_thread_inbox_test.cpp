// CrossThreadInbox: work from other threads reaches an unlocked io_context in the order it was
// posted and runs on the context's thread; work posted after the context is gone is dropped.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "net/cross_thread_inbox.hpp"

namespace asio = boost::asio;
using pgfront::net::CrossThreadInbox;
using pgfront::net::ReturnAddress;

TEST_CASE("work from two other threads runs on the context's thread, each thread's in order") {
    asio::io_context context{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
    auto& inbox = asio::make_service<CrossThreadInbox>(context);
    auto guard = asio::make_work_guard(context);
    std::vector<int> seen;  // touched only on the context's thread
    std::thread::id ran_on;
    bool other_thread = false;
    constexpr int per_thread = 5000;
    std::thread runner([&] {
        ran_on = std::this_thread::get_id();
        context.run();
    });
    auto send = [&](int base) {
        for (int i = 0; i < per_thread; ++i)
            inbox.post([&, value = base + i] {
                if (std::this_thread::get_id() != ran_on) other_thread = true;
                seen.push_back(value);
                if (seen.size() == 2 * per_thread) context.stop();
            });
    };
    std::thread a(send, 0);
    std::thread b(send, 1'000'000);
    a.join();
    b.join();
    runner.join();
    REQUIRE(seen.size() == 2 * per_thread);
    CHECK_FALSE(other_thread);
    int last_a = -1, last_b = 999'999;
    bool ordered = true;
    for (int value : seen) {
        int& last = value >= 1'000'000 ? last_b : last_a;
        if (value != last + 1) ordered = false;
        last = value;
    }
    CHECK(ordered);
}

TEST_CASE("work that throws leaves the rest of its batch to run after run() is called again") {
    asio::io_context context{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
    auto& inbox = asio::make_service<CrossThreadInbox>(context);
    auto guard = asio::make_work_guard(context);
    int ran = 0;
    inbox.post([&] { ++ran; });
    inbox.post([] { throw std::runtime_error("boom"); });
    inbox.post([&] { ++ran; });
    inbox.post([&] {
        ++ran;
        context.stop();
    });
    CHECK_THROWS_AS(context.run(), std::runtime_error);
    CHECK(ran == 1);
    context.restart();
    context.run();
    CHECK(ran == 3);
}

TEST_CASE("a return address posts through the inbox when the context has one, else with asio::post") {
    asio::io_context unlocked{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
    asio::make_service<CrossThreadInbox>(unlocked);
    asio::io_context locked;
    int ran = 0;
    std::thread([&] {
        ReturnAddress(unlocked.get_executor()).post([&] { ++ran; });
        ReturnAddress(locked.get_executor()).post([&] { ran += 10; });
    }).join();
    unlocked.poll();  // the eventfd wake is a completion of the ring: one poll may not reach it
    unlocked.run_for(std::chrono::milliseconds(50));
    locked.poll();
    CHECK(ran == 11);
}

TEST_CASE("work posted after the context shut down is neither run nor destroyed") {
    // Destroying it could free a coroutine frame whose objects are already gone.
    struct Marker {
        std::shared_ptr<bool> destroyed;
        ~Marker() {
            if (destroyed) *destroyed = true;
        }
    };
    auto destroyed = std::make_shared<bool>(false);
    bool ran = false;
    std::optional<ReturnAddress> back;
    {
        asio::io_context context{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
        asio::make_service<CrossThreadInbox>(context);
        back.emplace(context.get_executor());
    }
    auto marker = std::make_shared<Marker>();
    marker->destroyed = destroyed;
    back->post([&ran, m = std::move(marker)] { ran = true; });
    CHECK_FALSE(ran);
    CHECK_FALSE(*destroyed);
}
