// systemd's service notification protocol (sd_notify(3)) without libsystemd: READY=1,
// RELOADING=1, STOPPING=1, STATUS= and the WATCHDOG=1 keep-alive, sent as datagrams to
// $NOTIFY_SOCKET (a path, or '@' for a Linux abstract socket). Outside systemd it does nothing.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pgfront::app {

// Where $NOTIFY_SOCKET points: `name` without the '@' for an abstract socket.
struct NotifyAddress {
    std::string name;
    bool abstract = false;
};

// Parses $NOTIFY_SOCKET. nullopt with `error` set for values we cannot use (relative paths,
// vsock addresses, names longer than sockaddr_un allows); nullopt and no error when empty.
std::optional<NotifyAddress> parse_notify_socket(std::string_view value, std::string& error);

// The watchdog timeout systemd asks for ($WATCHDOG_USEC), or nullopt when it is unset, zero,
// not a number, or meant for another process ($WATCHDOG_PID set and not `self`).
std::optional<std::chrono::microseconds> parse_watchdog_usec(const char* usec, const char* pid, pid_t self);

class SystemdNotifier {
public:
    // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID and removes them from the
    // environment, so commands pgfront runs (vip.notify) cannot talk to systemd as pgfront.
    static SystemdNotifier from_environment();

    SystemdNotifier(std::optional<NotifyAddress> address, std::optional<std::chrono::microseconds> watchdog);
    ~SystemdNotifier();
    // The watchdog timer's handler holds `this`: the notifier stays where it was made.
    SystemdNotifier(const SystemdNotifier&) = delete;
    SystemdNotifier& operator=(const SystemdNotifier&) = delete;

    bool enabled() const { return socket_ >= 0; }
    std::optional<std::chrono::microseconds> watchdog_timeout() const { return watchdog_; }

    // Each sends one datagram; a failed send is logged once and otherwise ignored.
    // ready() repeats the last STATUS= unless given a new one (after a reload).
    void ready(std::string_view status = {});
    void reloading();
    // `grace`: how long the drain may take, so systemd's stop timeout covers it.
    void stopping(std::chrono::milliseconds grace);
    void status(std::string_view status);

    // WATCHDOG=1 every half timeout from a timer on `executor`: when that event loop stalls,
    // the pings stop and systemd restarts the service. No-op without WATCHDOG_USEC.
    void start_watchdog(const boost::asio::any_io_executor& executor);
    void stop_watchdog();

private:
    void send(const std::string& message);
    void arm_watchdog();

    int socket_ = -1;
    std::optional<NotifyAddress> address_;
    std::optional<std::chrono::microseconds> watchdog_;
    std::unique_ptr<boost::asio::steady_timer> timer_;
    std::string last_status_;
    bool send_failed_logged_ = false;
};

}  // namespace pgfront::app
