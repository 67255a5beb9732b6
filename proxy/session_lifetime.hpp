// What every client session does with its worker for as long as it runs, whatever its kind:
// joins the registry (so role changes and shutdown reach it), counts as active, and says
// who its client is. One place, so both session kinds are counted alike.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <string>

#include "proxy/client_session.hpp"
#include "proxy/worker.hpp"

namespace pgfront::proxy {

class SessionLifetime {
public:
    SessionLifetime(Worker& worker, ClientSession& session) : worker_(worker), session_(session) {
        worker_.sessions().add(&session_, session_.id());
        worker_.session_started();
        worker_.stats().active[static_cast<int>(session_.role())].fetch_add(1, std::memory_order_relaxed);
    }
    ~SessionLifetime() {
        worker_.sessions().remove(&session_, session_.id());
        worker_.stats().active[static_cast<int>(session_.role())].fetch_sub(1, std::memory_order_relaxed);
        worker_.session_ended();
    }
    SessionLifetime(const SessionLifetime&) = delete;
    SessionLifetime& operator=(const SessionLifetime&) = delete;

private:
    Worker& worker_;
    ClientSession& session_;
};

// "address:port" of a connected client, for logs.
inline std::string describe_peer(const boost::asio::ip::tcp::socket& socket) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    return ec ? "?" : remote.address().to_string() + ":" + std::to_string(remote.port());
}

}  // namespace pgfront::proxy
