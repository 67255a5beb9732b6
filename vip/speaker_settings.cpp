// Mapping conf::VipConfig onto vrrp::RouterSettings and the speaker's own settings.
#include "vip/speaker_settings.hpp"

#include <algorithm>

namespace pgfront::vip {

namespace {

CouplingTrack to_track(const conf::TrackWeight& weight) {
    return CouplingTrack{weight.fault, weight.weight};
}

}  // namespace

SpeakerSettingsResult to_speaker_settings(const conf::VipConfig& c) {
    SpeakerSettingsResult result;
    auto& errors = result.errors;
    SpeakerSettings s;
    auto& r = s.router;

    r.interface = c.interface;
    if (c.interface.empty()) errors.emplace_back("vip.interface: required");
    if (c.interface.size() > 15) {
        errors.push_back("vip.interface: '" + c.interface + "' is longer than 15 characters");
    }
    const auto vip = vrrp::IpAddress::parse(c.address);
    if (!vip || vip->family() != vrrp::Family::ipv4) {
        errors.push_back("vip.address: expected an IPv4 address, got '" + c.address + "'");
    } else if (c.prefix_length < 1 || c.prefix_length > 32) {
        errors.push_back("vip.address: prefix length " + std::to_string(c.prefix_length) +
                         " is not 1..32");
    } else {
        r.addresses.push_back({*vip, static_cast<std::uint8_t>(c.prefix_length)});
    }
    if (c.vrid < 1 || c.vrid > 255) errors.emplace_back("vip.vrid: 1..255");
    r.vrid = static_cast<std::uint8_t>(std::clamp(c.vrid, 0, 255));
    if (c.priority < 1 || c.priority > 255) errors.emplace_back("vip.priority: 1..255");
    r.priority = static_cast<std::uint8_t>(std::clamp(c.priority, 0, 255));
    if (c.version == 2) {
        r.version = vrrp::Version::v2;
    } else if (c.version == 3) {
        r.version = vrrp::Version::v3;
    } else {
        errors.emplace_back("vip.version: 2 or 3");
    }
    r.advert_interval = c.advert_interval;
    r.preempt = c.preempt;
    r.preempt_delay = c.preempt_delay;
    for (std::size_t i = 0; i < c.unicast_peers.size(); ++i) {
        const auto peer = vrrp::IpAddress::parse(c.unicast_peers[i]);
        if (!peer) {
            errors.push_back("vip.unicast_peers[" + std::to_string(i) +
                             "]: expected an IPv4 address, got '" + c.unicast_peers[i] + "'");
        } else {
            r.unicast_peers.push_back(*peer);
        }
    }
    if (!c.unicast_src.empty()) {
        const auto src = vrrp::IpAddress::parse(c.unicast_src);
        if (!src) {
            errors.push_back("vip.unicast_src: expected an IPv4 address, got '" + c.unicast_src +
                             "'");
        } else {
            r.source_address = *src;
        }
    }
    r.auth_pass = c.auth_pass;
    r.checksum_mode = c.checksum_pseudo_header ? vrrp::ChecksumMode::pseudo_header
                                               : vrrp::ChecksumMode::message_only;
    if (c.garp_repeat < 0 || c.garp_repeat > 255) errors.emplace_back("vip.garp_repeat: 0..255");
    s.garp_enabled = c.garp_repeat > 0;
    r.garp_master_repeat = static_cast<unsigned>(std::clamp(c.garp_repeat, 1, 255));
    r.garp_master_delay = c.garp_delay;
    s.garp_refresh = c.garp_refresh;
    if (c.garp_refresh.count() < 0) errors.emplace_back("vip.garp_refresh: must not be negative");
    if (c.garp_refresh.count() > 0 && c.garp_refresh < c.advert_interval) {
        errors.emplace_back("vip.garp_refresh: shorter than advert_interval; use 0 to disable");
    }
    // keepalived's default; lower_prio_no_advert stays false.
    s.notify = c.notify;

    s.coupling.base_priority = r.priority;
    s.coupling.no_primary_after = c.no_primary_after;
    if (c.no_primary_after.count() < 0) {
        errors.emplace_back("vip.no_primary_after: must not be negative");
    }
    s.coupling.no_primary = to_track(c.track_no_primary);
    s.coupling.listeners_down = to_track(c.track_listeners_down);
    for (const auto* track : {&c.track_no_primary, &c.track_listeners_down}) {
        if (!track->fault && (track->weight < -254 || track->weight > 0)) {
            errors.emplace_back("vip.track_*: a weight is -254..0 or 'fault'");
        }
    }

    if (errors.empty()) {
        for (auto& message : vrrp::check_settings(r)) errors.push_back("vip: " + message);
    }
    if (errors.empty()) result.settings = std::move(s);
    return result;
}

std::vector<std::string> restart_only_changes(const conf::VipConfig& a, const conf::VipConfig& b) {
    std::vector<std::string> keys;
    auto check = [&](bool same, const char* key) {
        if (!same) keys.emplace_back(key);
    };
    check(a.enabled == b.enabled, "vip");
    check(a.interface == b.interface, "vip.interface");
    check(a.address == b.address && a.prefix_length == b.prefix_length, "vip.address");
    check(a.vrid == b.vrid, "vip.vrid");
    check(a.version == b.version, "vip.version");
    check(a.advert_interval == b.advert_interval, "vip.advert_interval");
    check(a.unicast_peers == b.unicast_peers, "vip.unicast_peers");
    check(a.unicast_src == b.unicast_src, "vip.unicast_src");
    check(a.auth_pass == b.auth_pass, "vip.auth_pass");
    check(a.checksum_pseudo_header == b.checksum_pseudo_header, "vip.checksum_pseudo_header");
    check(a.garp_repeat == b.garp_repeat, "vip.garp_repeat");
    check(a.garp_delay == b.garp_delay, "vip.garp_delay");
    check(a.garp_refresh == b.garp_refresh, "vip.garp_refresh");
    return keys;
}

}  // namespace pgfront::vip
