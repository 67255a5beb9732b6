// FifoQueue: a first-in first-out queue over one vector that keeps its storage when it runs
// empty. std::deque frees and allocates a block whenever a queue that holds one or two items
// crosses a block boundary; a session's queue of outstanding requests does that on most
// transactions. Popped items are reset at once (their strings and pointers released) and the
// dead prefix is dropped when it is at least half the storage, so pushes and pops stay
// amortized O(1) for long pipelines too.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace pgfront::pool {

template <class T>
class FifoQueue {
public:
    bool empty() const { return head_ == items_.size(); }
    std::size_t size() const { return items_.size() - head_; }

    T& front() { return items_[head_]; }
    const T& front() const { return items_[head_]; }
    T& back() { return items_.back(); }
    const T& back() const { return items_.back(); }

    void push_back(T item) { items_.push_back(std::move(item)); }

    void pop_front() {
        items_[head_] = T{};
        if (++head_ == items_.size()) {
            clear();
        } else if (head_ >= compact_from && head_ * 2 >= items_.size()) {
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
    }

    void clear() {
        items_.clear();
        head_ = 0;
    }

private:
    static constexpr std::size_t compact_from = 32;
    std::vector<T> items_;
    std::size_t head_ = 0;
};

}  // namespace pgfront::pool
