// Which kind of node a listener serves: the primary (read-write, :5000) or replicas (:5001).
#pragma once

#include <cstdint>
#include <string_view>

namespace pgfront::proxy {

enum class ListenerRole : std::uint8_t { primary, replica };

constexpr std::string_view to_string(ListenerRole role) {
    return role == ListenerRole::primary ? "primary" : "replica";
}

}  // namespace pgfront::proxy
