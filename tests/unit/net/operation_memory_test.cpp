// OperationAllocator: a freed block is reused for its own size class only, never for a
// larger or much smaller request, and sizes past the largest class go to the heap.
#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "net/operation_memory.hpp"

using pgfront::net::OperationAllocator;

TEST_CASE("a freed block comes back for a request of the same size class") {
    OperationAllocator<char> a;
    char* first = a.allocate(900);
    a.deallocate(first, 900);
    char* again = a.allocate(912);  // same 64-byte class (897..960)
    CHECK(again == first);
    a.deallocate(again, 912);
}

TEST_CASE("a small request does not take a big freed block") {
    OperationAllocator<char> a;
    char* big = a.allocate(900);
    a.deallocate(big, 900);
    char* small = a.allocate(200);
    CHECK(small != big);
    char* big_again = a.allocate(900);
    CHECK(big_again == big);  // still kept for its own class
    a.deallocate(small, 200);
    a.deallocate(big_again, 900);
}

TEST_CASE("blocks of any size can be written to their full requested length") {
    OperationAllocator<unsigned char> a;
    for (std::size_t size : {1u, 63u, 64u, 65u, 2047u, 2048u, 2049u, 100000u}) {
        auto* p = a.allocate(size);
        for (std::size_t i = 0; i < size; ++i) p[i] = static_cast<unsigned char>(i);
        CHECK(p[size - 1] == static_cast<unsigned char>(size - 1));
        a.deallocate(p, size);
    }
}

TEST_CASE("rebound and copied allocators are interchangeable") {
    OperationAllocator<int> ints;
    OperationAllocator<double> doubles(ints);
    CHECK(ints == doubles);
    int* p = ints.allocate(10);
    OperationAllocator<int>(doubles).deallocate(p, 10);
}

TEST_CASE("a block freed on another thread goes to that thread, which exits cleanly") {
    OperationAllocator<char> a;
    char* kept_here = a.allocate(300);
    a.deallocate(kept_here, 300);  // this thread's list for the class now holds it
    std::vector<char*> blocks;
    for (int i = 0; i < 100; ++i) blocks.push_back(a.allocate(300));  // more than a list keeps
    CHECK(blocks.front() == kept_here);
    char* spare = a.allocate(300);
    a.deallocate(spare, 300);
    std::thread other([&] {
        for (char* b : blocks) a.deallocate(b, 300);  // the other thread's list, then the heap
    });
    other.join();
    CHECK(a.allocate(300) == spare);  // this thread's list was not touched
    a.deallocate(spare, 300);
}
