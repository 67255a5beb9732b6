// Per-thread free lists for operation memory (see operation_memory.hpp).
#include "net/operation_memory.hpp"

#include <array>
#include <new>

namespace pgfront::net::detail {
namespace {

constexpr std::size_t size_classes = largest_kept_operation / operation_size_step;

struct FreeBlock {
    FreeBlock* next;
};

std::size_t size_class_of(std::size_t size) { return (size + operation_size_step - 1) / operation_size_step - 1; }

struct FreeLists {
    std::array<FreeBlock*, size_classes> heads{};
    std::array<std::size_t, size_classes> counts{};

    ~FreeLists();
};

// Blocks freed while a thread's lists are being torn down (or after: an io_context destroyed
// late) go straight back to the heap; this flag outlives the lists, having no destructor.
thread_local bool lists_gone = false;
thread_local FreeLists lists;

FreeLists::~FreeLists() {
    lists_gone = true;
    for (auto* head : heads) {
        while (head) {
            auto* next = head->next;
            ::operator delete(head);
            head = next;
        }
    }
}

}  // namespace

void* allocate_operation(std::size_t size) {
    if (size == 0 || size > largest_kept_operation) return ::operator new(size);
    const auto c = size_class_of(size);
    if (!lists_gone) {
        if (auto* block = lists.heads[c]) {
            lists.heads[c] = block->next;
            --lists.counts[c];
            return block;
        }
    }
    return ::operator new((c + 1) * operation_size_step);
}

void free_operation(void* block, std::size_t size) noexcept {
    if (!block) return;
    if (size == 0 || size > largest_kept_operation || lists_gone) {
        ::operator delete(block);
        return;
    }
    const auto c = size_class_of(size);
    if (lists.counts[c] >= operation_blocks_kept_per_size) {
        ::operator delete(block);
        return;
    }
    auto* free = static_cast<FreeBlock*>(block);
    free->next = lists.heads[c];
    lists.heads[c] = free;
    ++lists.counts[c];
}

}  // namespace pgfront::net::detail
