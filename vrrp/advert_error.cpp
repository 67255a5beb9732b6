// Stable names of AdvertError values (used as metric labels: do not rename).
#include "vrrp/advert_error.hpp"

namespace pgfront::vrrp {

std::string_view to_string(AdvertError error) {
    switch (error) {
        case AdvertError::ip_too_short:
            return "ip_too_short";
        case AdvertError::ip_bad_header:
            return "ip_bad_header";
        case AdvertError::ip_truncated:
            return "ip_truncated";
        case AdvertError::ip_not_vrrp:
            return "ip_not_vrrp";
        case AdvertError::bad_ttl:
            return "bad_ttl";
        case AdvertError::too_short:
            return "too_short";
        case AdvertError::bad_version:
            return "bad_version";
        case AdvertError::bad_type:
            return "bad_type";
        case AdvertError::no_addresses:
            return "no_addresses";
        case AdvertError::truncated:
            return "truncated";
        case AdvertError::length_mismatch:
            return "length_mismatch";
        case AdvertError::bad_checksum:
            return "bad_checksum";
        case AdvertError::wrong_vrid:
            return "wrong_vrid";
        case AdvertError::auth_mismatch:
            return "auth_mismatch";
        case AdvertError::address_list_mismatch:
            return "address_list_mismatch";
        case AdvertError::interval_mismatch:
            return "interval_mismatch";
        case AdvertError::bad_interval:
            return "bad_interval";
    }
    return "unknown";
}

}  // namespace pgfront::vrrp
