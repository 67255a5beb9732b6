// The cancel key a pooled session hands its client and files in the cancel directory
// (proxy/cancel_directory.hpp).
#include <doctest/doctest.h>

#include "proxy/cancel_directory.hpp"

using pgfront::proxy::CancelDirectory;
using pgfront::proxy::CancelKey;
using pgfront::proxy::CancelTarget;

TEST_CASE("a session's process ID is its id, kept positive past 2^31 sessions") {
    CHECK(CancelKey::of_session(7, 42) == CancelKey{7, 42});
    CHECK(CancelKey::of_session(0x7fffffff, 1).process_id == 0x7fffffffu);
    // The client reads a signed 32-bit process ID; pgfront sends and files the same value.
    CHECK(CancelKey::of_session(0x80000000ull + 5, 1).process_id == 5u);
    CHECK(CancelKey::of_session(0x1'0000'0003ull, 1).process_id == 3u);
    // Never 0, which a client may take for "no key".
    CHECK(CancelKey::of_session(0x80000000ull, 1).process_id == 1u);
    CHECK(CancelKey::of_session(0x1'0000'0000ull, 1).process_id == 1u);
}

TEST_CASE("a cancel carrying what the client was sent finds its session, past 2^31 sessions too") {
    CancelDirectory directory;
    const std::uint64_t session = 0x80000000ull + 12;
    CancelTarget owner;
    owner.owner_worker = 0;
    owner.owner_session = session;
    const auto filed = CancelKey::of_session(session, 0xabcdef01);
    directory.add(filed, owner);
    // What a client sends back: the BackendKeyData's process ID and secret, as it got them.
    const auto sent_pid = static_cast<std::int32_t>(filed.process_id);
    REQUIRE(sent_pid > 0);
    const auto found = directory.find({static_cast<std::uint32_t>(sent_pid), 0xabcdef01});
    REQUIRE(found);
    CHECK(found->owner_session == session);
    CHECK_FALSE(directory.find({static_cast<std::uint32_t>(sent_pid), 0xabcdef02}));
    directory.remove(CancelKey::of_session(session, 0xabcdef01));
    CHECK_FALSE(directory.find(filed));
}
