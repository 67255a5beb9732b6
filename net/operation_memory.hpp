// Memory for the reads and writes on plain client and server connections (tls::SocketStream
// binds it to their handlers), kept per thread in free lists by size class.
//
// Asio's own recycling keeps two freed blocks per thread and hands out the first that is big
// enough. A transaction's operations come in several sizes (a read, a write of a composed
// operation almost 1 kB big), so the small ones took the big blocks and nearly every write
// went to malloc: two of the ten allocations per transaction under pgbench -S. Keeping more
// blocks in Asio's cache was tried and dropped: idle sessions then held big blocks for their
// small pending reads (1 kB more per idle client). Here a block is only reused for its own
// size class, so an idle session's pending read holds no more than it needs.
#pragma once

#include <cstddef>

namespace pgfront::net {

namespace detail {
void* allocate_operation(std::size_t size);
void free_operation(void* block, std::size_t size) noexcept;
}  // namespace detail

// A stateless allocator over those free lists; all instances are interchangeable, so memory
// may be freed through any of them, on any thread (it joins that thread's lists).
template <class T>
struct OperationAllocator {
    using value_type = T;

    OperationAllocator() noexcept = default;
    template <class U>
    OperationAllocator(const OperationAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) { return static_cast<T*>(detail::allocate_operation(n * sizeof(T))); }
    void deallocate(T* block, std::size_t n) noexcept { detail::free_operation(block, n * sizeof(T)); }

    template <class U>
    bool operator==(const OperationAllocator<U>&) const noexcept {
        return true;
    }
};

// Size classes a thread keeps freed blocks of, and how many of each: enough for the reads and
// writes in flight on one event loop at a time, bounded so a burst does not pin memory.
inline constexpr std::size_t operation_size_step = 64;
inline constexpr std::size_t largest_kept_operation = 2048;
inline constexpr std::size_t operation_blocks_kept_per_size = 32;

}  // namespace pgfront::net
