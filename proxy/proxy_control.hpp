// What operators can ask of a running proxy, from any thread: a snapshot of its state, pause
// and resume, killing a client, reloading the configuration, shutting down. The admin HTTP
// API and the admin console (database "pgbouncer") both go through it. Completions run on
// an arbitrary thread: a caller on an event loop posts them back to itself.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/proxy_snapshot.hpp"

namespace pgfront::proxy {

struct ReloadOutcome {
    bool applied = false;
    std::vector<std::string> errors;            // why it was rejected (file:line:col: message)
    std::vector<std::string> restart_required;  // config keys that changed but wait for a restart
    std::vector<std::string> warnings;
    std::string config_hash;                    // of the configuration now running
};

// Reload and shutdown belong to the daemon, not the proxy: it hands them in.
struct DaemonHooks {
    std::function<void(std::function<void(ReloadOutcome)>)> reload;
    std::function<void()> shutdown;
};

class ProxyControl {
public:
    using SnapshotPtr = std::shared_ptr<const ProxySnapshot>;

    virtual ~ProxyControl() = default;

    // Every worker's part, merged; `done` runs once the last worker has answered (a caller
    // that cannot wait long bounds the wait itself).
    virtual void snapshot(std::function<void(SnapshotPtr)> done) = 0;
    // No database: everything. New transactions (pooling modes) or sessions (mode none) wait;
    // running ones go on. Returns at once; a snapshot tells when nothing holds a server.
    virtual void pause(std::optional<std::string> database) = 0;
    // False when that scope was not paused.
    virtual bool resume(std::optional<std::string> database) = 0;
    // Closes the client with that id (FATAL 57P01 to the client); done(false) when none.
    virtual void kill_client(std::uint64_t id, std::function<void(bool)> done) = 0;
    // Closes every client and server connection of a database and leaves it paused, as
    // PgBouncer's KILL db does: its clients wait until resume().
    virtual void kill_database(std::string database) = 0;
    virtual void reload(std::function<void(ReloadOutcome)> done) = 0;
    virtual void shutdown() = 0;
};

}  // namespace pgfront::proxy
