// What the worker needs of any client session, whatever the pool mode: who it is, which
// node it is bound to, and a way to end it (role change, shutdown).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "proxy/cancel_directory.hpp"
#include "proxy/listener_role.hpp"
#include "proxy/proxy_snapshot.hpp"

namespace pgfront::proxy {

class ClientSession {
public:
    virtual ~ClientSession() = default;
    virtual void close(std::string reason) = 0;
    // An operator ends the session (kill): a client waiting for its next request is told why
    // (FATAL 57P01) where the session can say so; otherwise it is simply closed.
    virtual void terminate(std::string reason) { close(std::move(reason)); }
    virtual std::uint64_t id() const = 0;
    virtual ListenerRole role() const = 0;
    // The node the session holds a server on right now, or "" (pooled sessions between
    // transactions hold none, so a role change does not concern them).
    virtual const std::string& node() const = 0;
    // For the operator's views (proxyctl clients/servers, SHOW CLIENTS/SERVERS): the client,
    // and the server connection it holds right now, if any.
    virtual ClientView view(std::chrono::steady_clock::time_point now) const = 0;
    virtual std::optional<ServerView> server_view(std::chrono::steady_clock::time_point now) const = 0;
    // Where a cancel of this client's key goes right now (pooled sessions); nullopt: nowhere.
    virtual std::optional<CancelTarget> cancel_target() const { return std::nullopt; }
};

}  // namespace pgfront::proxy
