// SASL offers lose their -PLUS mechanisms only when the client leg is plain and pgfront
// encrypts the server leg; the rewritten message is a well-formed AuthenticationSASL.
#include "tls/channel_binding.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocol/authentication.hpp"
#include "protocol/frame_reader.hpp"
#include "protocol/message_writer.hpp"

using namespace pgfront;

namespace {
protocol::Bytes payload_of(const protocol::ByteBuffer& message) {
    return protocol::Bytes(message).subspan(5);
}

std::vector<std::string> mechanisms(const protocol::ByteBuffer& message) {
    const auto frame = protocol::read_frame(message, protocol::Sender::backend, 1024);
    REQUIRE(frame.is_frame());
    CHECK(frame.consumed == message.size());
    const auto request = protocol::AuthenticationRequest::parse(frame.payload);
    REQUIRE(request);
    std::vector<std::string> names;
    for (auto name : request->sasl_mechanisms()) names.emplace_back(name);
    return names;
}
}  // namespace

TEST_CASE("only a plain client behind a server leg pgfront encrypts loses the offer") {
    CHECK(tls::hide_channel_binding(false, true));
    CHECK_FALSE(tls::hide_channel_binding(
        true, true));  // TLS both legs: binding may work (same certificate)
    CHECK_FALSE(tls::hide_channel_binding(false, false));  // end to end or plain: untouched
    CHECK_FALSE(tls::hide_channel_binding(true, false));
}

TEST_CASE("SCRAM-SHA-256-PLUS is dropped, SCRAM-SHA-256 stays") {
    protocol::ByteBuffer offer;
    protocol::write_authentication_sasl(offer, {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"});
    const auto rewritten = tls::sasl_offer_without_channel_binding(payload_of(offer));
    REQUIRE(rewritten);
    CHECK(mechanisms(*rewritten) == std::vector<std::string>{"SCRAM-SHA-256"});
    CHECK(rewritten->size() + std::string("SCRAM-SHA-256-PLUS").size() + 1 == offer.size());
}

TEST_CASE("nothing to do: no -PLUS offered, or not a SASL request") {
    protocol::ByteBuffer offer;
    protocol::write_authentication_sasl(offer, {"SCRAM-SHA-256"});
    CHECK_FALSE(tls::sasl_offer_without_channel_binding(payload_of(offer)));
    protocol::ByteBuffer ok;
    protocol::write_authentication_ok(ok);
    CHECK_FALSE(tls::sasl_offer_without_channel_binding(payload_of(ok)));
    const std::byte junk[] = {std::byte{0}, std::byte{0}};
    CHECK_FALSE(tls::sasl_offer_without_channel_binding(protocol::Bytes(junk)));
}
