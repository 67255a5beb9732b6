// GuardedDeadline against the race a plain steady_timer loses: two deadlines expire in the
// same loop turn, so both handlers are already queued with success when the first one runs
// and cancels the other. The cancelled action must not run (with plain timers it would, and
// in a session that meant acting on a freed object).
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <memory>
#include <thread>

#include "net/guarded_deadline.hpp"

using pgfront::net::GuardedDeadline;
using namespace std::chrono_literals;

TEST_CASE("a deadline cancelled after it expired but before its handler ran does nothing") {
    boost::asio::io_context context;
    GuardedDeadline first(context.get_executor());
    GuardedDeadline second(context.get_executor());
    int first_ran = 0;
    int second_ran = 0;
    first.arm(1ms, [&] {
        ++first_ran;
        second.cancel();
    });
    second.arm(1ms, [&] {
        ++second_ran;
        first.cancel();
    });
    std::this_thread::sleep_for(20ms);  // both expire before the loop looks at them
    context.run();
    CHECK(first_ran + second_ran == 1);
}

TEST_CASE("a deadline destroyed with its expiry queued does nothing") {
    boost::asio::io_context context;
    auto victim = std::make_unique<GuardedDeadline>(context.get_executor());
    GuardedDeadline killer(context.get_executor());
    bool killer_ran = false;
    bool victim_ran_after_destruction = false;
    killer.arm(1ms, [&] {
        killer_ran = true;
        victim.reset();
    });
    // Expires together with the killer: the victim's action may run only while it exists.
    victim->arm(1ms, [&] { victim_ran_after_destruction = victim == nullptr; });
    std::this_thread::sleep_for(20ms);
    context.run();
    CHECK(killer_ran);
    CHECK_FALSE(victim_ran_after_destruction);
}

TEST_CASE("re-arming replaces the earlier action and an expired deadline runs once") {
    boost::asio::io_context context;
    GuardedDeadline deadline(context.get_executor());
    int earlier = 0;
    int later = 0;
    deadline.arm(1ms, [&] { ++earlier; });
    deadline.arm(2ms, [&] { ++later; });
    context.run();
    CHECK(earlier == 0);
    CHECK(later == 1);
    CHECK_FALSE(deadline.armed());
}

TEST_CASE("cancel before expiry: the action never runs") {
    boost::asio::io_context context;
    GuardedDeadline deadline(context.get_executor());
    bool ran = false;
    deadline.arm(50ms, [&] { ran = true; });
    CHECK(deadline.armed());
    boost::asio::post(context, [&] { deadline.cancel(); });
    context.run();
    CHECK_FALSE(ran);
}
