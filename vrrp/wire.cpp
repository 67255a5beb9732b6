// Names of the wire enums, for logs, metrics labels and the admin view.
#include "vrrp/wire.hpp"

namespace pgfront::vrrp {

std::string_view to_string(Version version) {
    switch (version) {
        case Version::v2:
            return "2";
        case Version::v3:
            return "3";
    }
    return "unknown";
}

std::string_view to_string(ChecksumMode mode) {
    switch (mode) {
        case ChecksumMode::pseudo_header:
            return "pseudo_header";
        case ChecksumMode::message_only:
            return "message_only";
        case ChecksumMode::pseudo_header_multicast:
            return "pseudo_header_multicast";
    }
    return "unknown";
}

}  // namespace pgfront::vrrp
