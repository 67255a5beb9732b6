// FifoQueue: order, reuse of its storage when it runs empty, and compaction under a long
// pipeline that never runs empty.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "pool/fifo_queue.hpp"

using pgfront::pool::FifoQueue;

TEST_CASE("items come out in the order they went in") {
    FifoQueue<int> q;
    CHECK(q.empty());
    for (int i = 0; i < 5; ++i) q.push_back(i);
    CHECK(q.size() == 5);
    CHECK(q.back() == 4);
    for (int i = 0; i < 5; ++i) {
        REQUIRE_FALSE(q.empty());
        CHECK(q.front() == i);
        q.pop_front();
    }
    CHECK(q.empty());
    CHECK(q.size() == 0);
}

TEST_CASE("a popped item is released at once, not when the queue next compacts") {
    FifoQueue<std::shared_ptr<std::string>> q;
    auto held = std::make_shared<std::string>("statement");
    q.push_back(held);
    q.push_back(std::make_shared<std::string>("next"));
    CHECK(held.use_count() == 2);
    q.pop_front();
    CHECK(held.use_count() == 1);
    CHECK(*q.front() == "next");
}

TEST_CASE("a queue that never runs empty keeps its order across compactions") {
    FifoQueue<int> q;
    int next_in = 0, next_out = 0;
    for (int round = 0; round < 1000; ++round) {
        q.push_back(next_in++);
        q.push_back(next_in++);
        CHECK(q.front() == next_out);
        q.pop_front();
        ++next_out;
    }
    CHECK(q.size() == 1000);
    while (!q.empty()) {
        CHECK(q.front() == next_out++);
        q.pop_front();
    }
    CHECK(next_out == next_in);
}

TEST_CASE("clear empties the queue") {
    FifoQueue<std::string> q;
    q.push_back("a");
    q.push_back("b");
    q.pop_front();
    q.clear();
    CHECK(q.empty());
    q.push_back("c");
    CHECK(q.front() == "c");
    CHECK(q.back() == "c");
}
