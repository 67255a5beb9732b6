// One question about any typed message: is its payload laid out as its type requires?
// The proxy asks it before forwarding, and answers a malformed message with 08P01.
#pragma once

#include "protocol/bytes.hpp"
#include "protocol/message_type.hpp"

namespace pgfront::protocol {

// Parses the payload with the view for `type` and reports whether that succeeded. 'p' is
// accepted whenever one of its meanings fits (a SASLResponse can be any bytes); CopyData is
// opaque. Unknown types are not well formed.
bool is_well_formed(Sender from, char type, Bytes payload);

}  // namespace pgfront::protocol
