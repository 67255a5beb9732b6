// Bytes read from a socket that have not been handled yet, cut into whole PostgreSQL
// messages. Reused for the whole life of a connection, so reading allocates only when a
// message is larger than anything seen before.
#pragma once

#include <cstddef>
#include <cstring>
#include <vector>

#include "protocol/bytes.hpp"
#include "protocol/frame_reader.hpp"
#include "protocol/message_type.hpp"

namespace pgfront::pool {

class FrameBuffer {
public:
    explicit FrameBuffer(std::size_t initial = 16 * 1024) : bytes_(initial) {}

    // Where the next read may write, at least `min_free` bytes.
    std::span<std::byte> write_area(std::size_t min_free = 4096) {
        if (begin_ > 0 && begin_ == end_) begin_ = end_ = 0;
        if (bytes_.size() - end_ < min_free) {
            if (begin_ > 0) {
                std::memmove(bytes_.data(), bytes_.data() + begin_, end_ - begin_);
                end_ -= begin_;
                begin_ = 0;
            }
            if (bytes_.size() - end_ < min_free) bytes_.resize(end_ + std::max(min_free, bytes_.size()));
        }
        return {bytes_.data() + end_, bytes_.size() - end_};
    }
    void commit(std::size_t n) { end_ += n; }

    protocol::Bytes pending() const { return {bytes_.data() + begin_, end_ - begin_}; }
    protocol::FrameResult next(protocol::Sender from, std::size_t max_length) const {
        return protocol::read_frame(pending(), from, max_length);
    }
    void consume(std::size_t n) { begin_ += n; }
    bool empty() const { return begin_ == end_; }
    std::size_t size() const { return end_ - begin_; }

private:
    std::vector<std::byte> bytes_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace pgfront::pool
