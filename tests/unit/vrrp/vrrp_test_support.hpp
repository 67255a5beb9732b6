// Helpers shared by the VRRP unit tests: byte strings, an independent reference checksum
// and accessors for the actions a VirtualRouter returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "vrrp/router_action.hpp"

namespace pgfront::vrrp::test {

inline std::vector<std::byte> bytes(std::initializer_list<unsigned> values) {
    std::vector<std::byte> out;
    for (unsigned v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

inline std::string hex(std::span<const std::byte> data) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (std::byte b : data) {
        const auto v = std::to_integer<unsigned>(b);
        if (!out.empty()) out += ' ';
        out += kDigits[v >> 4];
        out += kDigits[v & 15];
    }
    return out;
}

// RFC 1071 written the plain way (whole words, then fold), to check the library's
// incremental implementation against something independent.
inline std::uint16_t reference_checksum(const std::vector<std::byte>& data) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < data.size(); i += 2) {
        const unsigned hi = std::to_integer<unsigned>(data[i]);
        const unsigned lo = i + 1 < data.size() ? std::to_integer<unsigned>(data[i + 1]) : 0;
        sum += hi << 8 | lo;
    }
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

inline std::vector<std::byte> concat(std::vector<std::byte> a, const std::vector<std::byte>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

template <class T>
std::vector<T> all(const Actions& actions) {
    std::vector<T> out;
    for (const auto& a : actions) {
        if (const T* t = std::get_if<T>(&a)) out.push_back(*t);
    }
    return out;
}

template <class T>
bool has(const Actions& actions) {
    return !all<T>(actions).empty();
}

// A compact rendering of an action list ("state(backup->master,master_down_timer) advert(100)
// vip+ garp(5) timer"), for readable table-driven expectations and failure messages.
inline std::string describe(const Actions& actions) {
    std::string out;
    for (const auto& action : actions) {
        if (!out.empty()) out += ' ';
        if (const auto* s = std::get_if<StateChanged>(&action)) {
            out += "state(" + std::string(to_string(s->from)) + "->" +
                   std::string(to_string(s->to)) + "," + std::string(to_string(s->reason)) + ")";
        } else if (const auto* a = std::get_if<SendAdvert>(&action)) {
            out += "advert(" + std::to_string(a->priority) + ")";
        } else if (std::holds_alternative<AddVip>(action)) {
            out += "vip+";
        } else if (std::holds_alternative<RemoveVip>(action)) {
            out += "vip-";
        } else if (const auto* g = std::get_if<SendGratuitousArp>(&action)) {
            out += "garp(" + std::to_string(g->count) + ")";
        } else if (std::holds_alternative<SetTimer>(action)) {
            out += "timer";
        } else if (std::holds_alternative<CancelTimer>(action)) {
            out += "notimer";
        } else if (const auto* d = std::get_if<Discarded>(&action)) {
            out += "discard(" + std::string(to_string(d->reason)) + ")";
        } else if (const auto* m = std::get_if<Misconfigured>(&action)) {
            out += "misconfigured(" + std::string(to_string(m->what)) + ")";
        }
    }
    return out;
}

}  // namespace pgfront::vrrp::test
