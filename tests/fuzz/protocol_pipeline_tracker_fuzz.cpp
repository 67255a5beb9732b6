// Fuzz target: the pipeline tracker fed random interleavings of frontend and backend
// messages; its counters and answers must stay consistent whatever arrives.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/bytes.hpp"
#include "protocol/pipeline_tracker.hpp"

using namespace pgfront::protocol;
using namespace std::string_view_literals;

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

// Replies are listed more than once so random input reaches deep states more often.
constexpr std::string_view frontend_types = "QQPBDEESSSHCFdddcfX";
constexpr std::string_view backend_types = "Z12ZTDCIEEsnt3GHWdcVNSAZKRv";

Bytes payload_for(bool from_client, char type, std::uint8_t variant) {
    static constexpr std::string_view statuses = "ITEX";
    static constexpr std::string_view errors[] = {"SERROR\0VERROR\0C42601\0Mx\0\0"sv,
                                                  "SERROR\0\0"sv,
                                                  "SFATAL\0VFATAL\0C57P01\0Mx\0\0"sv, "garbage"sv};
    if (from_client && type == 'D') return as_bytes(variant & 1 ? "Sx\0"sv : "P\0"sv);
    if (!from_client && type == 'Z') return as_bytes(statuses.substr(variant, 1));
    if (!from_client && type == 'E') return as_bytes(errors[variant]);
    return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    PipelineTracker tracker;
    std::size_t forwarded = 0;  // frontend messages since the tracker was (re)created
    for (std::size_t i = 0; i < size; ++i) {
        const std::uint8_t b = data[i];
        const bool from_client = (b & 0x80) != 0;
        const std::uint8_t variant = static_cast<std::uint8_t>((b >> 5) & 3);
        PipelineTracker::Result r;
        if (from_client) {
            const char type = frontend_types[(b & 0x7f) % frontend_types.size()];
            r = tracker.on_frontend(type, payload_for(true, type, variant));
            ++forwarded;
        } else {
            const char type = backend_types[(b & 0x7f) % backend_types.size()];
            r = tracker.on_backend(type, payload_for(false, type, variant));
        }
        require(tracker.outstanding_ready_for_query() <= tracker.outstanding_requests());
        require(tracker.outstanding_requests() <= forwarded);
        if (!r) require(!tracker.reusable() && !r.problem.empty());
        if (tracker.at_boundary()) {
            require(tracker.reusable());
            require(tracker.outstanding_requests() == 0);
            require(tracker.transaction_status() == TransactionStatus::idle);
            require(!tracker.skipping_to_sync());
            require(!tracker.in_copy());
        }
        if (!tracker.reusable()) {  // start over to keep exploring
            tracker = PipelineTracker();
            forwarded = 0;
        }
    }
    return 0;
}
