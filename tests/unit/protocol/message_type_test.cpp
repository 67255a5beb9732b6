// Tests for protocol/message_type: known types per sender, phase validity, names.
#include "protocol/message_type.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace pgfront::protocol;

TEST_CASE("is_known_type accepts exactly the documented types") {
    const std::string frontend_types = "BCdcfDEHFPpQSX";
    const std::string backend_types = "RK23CdcGHWDIEVvnNAtS1sZT";
    for (int c = 0; c < 256; ++c) {
        const char t = static_cast<char>(c);
        CAPTURE(c);
        CHECK(is_known_type(Sender::frontend, t) == (frontend_types.find(t) != std::string::npos));
        CHECK(is_known_type(Sender::backend, t) == (backend_types.find(t) != std::string::npos));
    }
}

TEST_CASE("is_valid_type separates startup from normal phase") {
    CHECK(is_valid_type(Sender::frontend, 'p', ProtocolPhase::startup));
    CHECK_FALSE(is_valid_type(Sender::frontend, 'p', ProtocolPhase::normal));
    CHECK_FALSE(is_valid_type(Sender::frontend, 'Q', ProtocolPhase::startup));
    CHECK(is_valid_type(Sender::frontend, 'Q', ProtocolPhase::normal));
    CHECK(is_valid_type(Sender::frontend, 'X', ProtocolPhase::startup));
    CHECK(is_valid_type(Sender::frontend, 'X', ProtocolPhase::normal));

    for (const char t : {'R', 'K', 'v'}) {
        CAPTURE(t);
        CHECK(is_valid_type(Sender::backend, t, ProtocolPhase::startup));
        CHECK_FALSE(is_valid_type(Sender::backend, t, ProtocolPhase::normal));
    }
    for (const char t : {'S', 'E', 'N', 'Z'}) {
        CAPTURE(t);
        CHECK(is_valid_type(Sender::backend, t, ProtocolPhase::startup));
        CHECK(is_valid_type(Sender::backend, t, ProtocolPhase::normal));
    }
    for (const char t : {'T', 'D', 'C', '1', 'G', 'A'}) {
        CAPTURE(t);
        CHECK_FALSE(is_valid_type(Sender::backend, t, ProtocolPhase::startup));
        CHECK(is_valid_type(Sender::backend, t, ProtocolPhase::normal));
    }
    CHECK_FALSE(is_valid_type(Sender::backend, 'Q', ProtocolPhase::normal));
}

TEST_CASE("has_empty_payload and message_name") {
    for (const char t : {'S', 'H', 'X', 'c'}) CHECK(has_empty_payload(Sender::frontend, t));
    for (const char t : {'1', '2', '3', 'n', 's', 'I', 'c'}) {
        CHECK(has_empty_payload(Sender::backend, t));
    }
    CHECK_FALSE(has_empty_payload(Sender::frontend, 'Q'));
    CHECK_FALSE(has_empty_payload(Sender::backend, 'Z'));
    CHECK(message_name(Sender::frontend, 'S') == "Sync");
    CHECK(message_name(Sender::backend, 'S') == "ParameterStatus");
    CHECK(message_name(Sender::frontend, 'D') == "Describe");
    CHECK(message_name(Sender::backend, 'D') == "DataRow");
    CHECK(message_name(Sender::backend, 'v') == "NegotiateProtocolVersion");
    CHECK(message_name(Sender::frontend, 'Z') == "unknown");
}
