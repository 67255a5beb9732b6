// JSON view of vip::VipStatus (see vip_json.hpp).
#include "admin/vip_json.hpp"

#include <boost/json.hpp>

namespace pgfront::admin {
namespace json = boost::json;

std::string vip_json(const std::optional<vip::VipStatus>& status) {
    json::object o;
    o["enabled"] = status.has_value();
    if (!status) return json::serialize(o);
    const auto& s = *status;
    o["interface"] = s.interface;
    o["address"] = s.address;
    o["vrid"] = s.vrid;
    o["version"] = s.version;
    o["advert_interval_ms"] = s.advert_interval_ms;
    o["primary_address"] = s.primary_address;
    o["state"] = s.state;
    o["configured_priority"] = s.configured_priority;
    o["effective_priority"] = s.effective_priority;
    o["preempt"] = s.preempt;
    json::array failed;
    for (const auto& c : s.failed_conditions) failed.emplace_back(c);
    o["failed_conditions"] = std::move(failed);
    o["holds_vip"] = s.holds_vip;
    if (s.master_address)
        o["master_address"] = *s.master_address;
    else
        o["master_address"] = nullptr;
    if (s.master_priority)
        o["master_priority"] = *s.master_priority;
    else
        o["master_priority"] = nullptr;
    o["master_adver_interval_ms"] = s.master_adver_interval_ms;
    o["transitions"] = s.transitions;
    o["last_transition"] = s.last_transition;
    o["last_transition_reason"] = s.last_transition_reason;
    o["last_transition_unix_ms"] = s.last_transition_unix_ms;
    o["adverts_sent"] = s.adverts_sent;
    o["adverts_received"] = s.adverts_received;
    o["adverts_discarded"] = s.adverts_discarded;
    o["gratuitous_arps_sent"] = s.gratuitous_arps_sent;
    o["send_errors"] = s.send_errors;
    o["dropped_total"] = s.dropped_total;
    json::object dropped;
    for (const auto& [reason, count] : s.dropped) dropped[reason] = count;
    o["dropped"] = std::move(dropped);
    return json::serialize(o);
}

}  // namespace pgfront::admin
