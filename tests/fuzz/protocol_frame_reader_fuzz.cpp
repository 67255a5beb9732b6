// Fuzz target: the frame reader over arbitrary byte streams, as a session reads them (one
// startup packet, then typed messages), checking every result against the input's bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "protocol/frame_reader.hpp"
#include "protocol/message_check.hpp"
#include "protocol/startup_messages.hpp"

using namespace pgfront::protocol;

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

bool within(Bytes inner, Bytes outer) {
    return inner.empty() || (inner.data() >= outer.data() &&
                             inner.data() + inner.size() <= outer.data() + outer.size());
}

void check_startup_payload(Bytes payload) {
    if (const auto m = StartupMessage::parse(payload)) {
        std::size_t touched = 0;
        for (const auto& p : m->parameters()) touched += p.name.size() + p.value.size();
        require(touched < payload.size());
        (void)m->user();
        (void)needs_protocol_negotiation(*m);
    }
    (void)CancelRequest::parse(payload);
    (void)SslRequest::parse(payload);
    (void)GssEncRequest::parse(payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // First byte: whether a startup packet comes first, who sends, and a small or default limit.
    const auto flags = data[0];
    const Sender from = (flags & 1) ? Sender::backend : Sender::frontend;
    const std::size_t limit = (flags & 2) ? 64 : default_max_message_length;
    bool startup = (flags & 4) != 0;
    Bytes input(reinterpret_cast<const std::byte*>(data + 1), size - 1);

    while (true) {
        const auto r = startup ? read_startup_frame(input, (flags & 2) ? 64 : 10000)
                               : read_frame(input, from, limit);
        if (r.is_need_more()) {
            require(r.needed > input.size());
            break;
        }
        if (r.is_error()) {
            require(!r.error.empty());
            break;
        }
        require(r.consumed > 0 && r.consumed <= input.size());
        require(within(r.payload, input));
        require(r.payload.size() + (startup ? 4 : 5) == r.consumed);
        if (startup) {
            require(r.payload.size() >= 4);
            check_startup_payload(r.payload);
            startup = false;
        } else {
            require(is_known_type(from, r.type));
            (void)is_well_formed(from, r.type, r.payload);
        }
        input = input.subspan(r.consumed);
    }
    return 0;
}
