// HealthCoupling (see health_coupling.hpp): one function, update(), computes the verdict.
#include "vip/health_coupling.hpp"

#include <algorithm>

namespace pgfront::vip {

HealthCoupling::HealthCoupling(CouplingSettings settings, vrrp::TimePoint now)
    : settings_(settings), no_primary_since_(now) {
    update(now);
}

bool HealthCoupling::no_primary_active(vrrp::TimePoint now) const {
    return no_primary_since_ && now - *no_primary_since_ >= settings_.no_primary_after;
}

std::optional<vrrp::TimePoint> HealthCoupling::next_deadline() const {
    if (!no_primary_since_) return std::nullopt;
    const auto due = *no_primary_since_ + settings_.no_primary_after;
    // Already applied: nothing more will happen on its own.
    if (std::find(verdict_.conditions.begin(), verdict_.conditions.end(), "no_primary") !=
        verdict_.conditions.end()) {
        return std::nullopt;
    }
    return due;
}

bool HealthCoupling::update(vrrp::TimePoint now) {
    CouplingVerdict next;
    int priority = settings_.base_priority;
    auto apply = [&](const CouplingTrack& track, const char* name) {
        next.conditions.emplace_back(name);
        if (track.fault) {
            next.fault = true;
        } else {
            priority += track.weight;
        }
    };
    if (!interface_up_) apply(CouplingTrack{true, 0}, "interface_down");
    if (no_primary_active(now)) apply(settings_.no_primary, "no_primary");
    if (!listeners_up_) apply(settings_.listeners_down, "listeners_down");
    next.priority = static_cast<std::uint8_t>(std::clamp(priority, 1, 255));
    if (next == verdict_) return false;
    verdict_ = std::move(next);
    return true;
}

bool HealthCoupling::on_primary(bool has_primary, vrrp::TimePoint now) {
    if (has_primary) {
        no_primary_since_.reset();
    } else if (!no_primary_since_) {
        no_primary_since_ = now;
    }
    return update(now);
}

bool HealthCoupling::on_listeners(bool up, vrrp::TimePoint now) {
    listeners_up_ = up;
    return update(now);
}

bool HealthCoupling::on_interface(bool up, vrrp::TimePoint now) {
    interface_up_ = up;
    return update(now);
}

bool HealthCoupling::on_timer(vrrp::TimePoint now) {
    return update(now);
}

bool HealthCoupling::on_settings(CouplingSettings settings, vrrp::TimePoint now) {
    settings_ = settings;
    return update(now);
}

}  // namespace pgfront::vip
