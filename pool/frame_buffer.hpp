// Bytes read from a socket that have not been handled yet, cut into whole PostgreSQL
// messages. Storage is allocated on the first read, not when the connection is made, and can
// be given back whenever nothing is pending: an idle client holds no buffer at all, and one
// that once received a huge message does not keep a huge buffer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>

#include "protocol/bytes.hpp"
#include "protocol/frame_reader.hpp"
#include "protocol/message_type.hpp"

namespace pgfront::pool {

class FrameBuffer {
public:
    // `initial`: the size of the first allocation (made by the first write_area()).
    explicit FrameBuffer(std::size_t initial = 8 * 1024) : initial_(initial) {}

    // Where the next read may write, at least `min_free` bytes.
    std::span<std::byte> write_area(std::size_t min_free = 4096) {
        if (begin_ > 0 && begin_ == end_) begin_ = end_ = 0;
        if (capacity_ - end_ < min_free) {
            if (begin_ > 0) {
                std::memmove(bytes_.get(), bytes_.get() + begin_, end_ - begin_);
                end_ -= begin_;
                begin_ = 0;
            }
            if (capacity_ - end_ < min_free) grow(end_ + std::max(min_free, std::max(capacity_, initial_)));
        }
        return {bytes_.get() + end_, capacity_ - end_};
    }
    void commit(std::size_t n) { end_ += n; }

    protocol::Bytes pending() const { return {bytes_.get() + begin_, end_ - begin_}; }
    protocol::FrameResult next(protocol::Sender from, std::size_t max_length) const {
        return protocol::read_frame(pending(), from, max_length);
    }
    void consume(std::size_t n) { begin_ += n; }
    bool empty() const { return begin_ == end_; }
    std::size_t size() const { return end_ - begin_; }
    std::size_t capacity() const { return capacity_; }

    // Frees the storage when nothing is pending and it is larger than `keep` bytes (0: free
    // it whatever its size). The next write_area() allocates again.
    void release(std::size_t keep = 0) {
        if (!empty() || capacity_ <= keep) return;
        bytes_.reset();
        capacity_ = begin_ = end_ = 0;
    }

private:
    void grow(std::size_t capacity) {
        // Uninitialised on purpose: zero-filling would touch (and so commit) every page.
        std::unique_ptr<std::byte[]> bigger(new std::byte[capacity]);
        if (end_ > 0) std::memcpy(bigger.get(), bytes_.get(), end_);
        bytes_ = std::move(bigger);
        capacity_ = capacity;
    }

    std::unique_ptr<std::byte[]> bytes_;
    std::size_t initial_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace pgfront::pool
