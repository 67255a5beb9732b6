// sd_notify(3)'s datagram protocol (see systemd_notify.hpp). The messages are small and
// best effort: a send never blocks pgfront's event loop (MSG_DONTWAIT), and a lost
// WATCHDOG=1 is followed by the next one half a timeout later.
#include "app/systemd_notify.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace pgfront::app {

std::optional<NotifyAddress> parse_notify_socket(std::string_view value, std::string& error) {
    error.clear();
    if (value.empty()) return std::nullopt;
    NotifyAddress address;
    if (value.front() == '@') {
        address.abstract = true;
        address.name = std::string(value.substr(1));
    } else if (value.front() == '/') {
        address.name = std::string(value);
    } else {
        error = "NOTIFY_SOCKET=" + std::string(value) + " is neither an absolute path nor an abstract '@' name";
        return std::nullopt;
    }
    // A path needs its terminating NUL inside sun_path; an abstract name needs the leading NUL.
    constexpr std::size_t capacity = sizeof(sockaddr_un{}.sun_path);
    if (address.name.empty() || address.name.size() + 1 > capacity) {
        error = "NOTIFY_SOCKET=" + std::string(value) + " does not fit a unix socket address";
        return std::nullopt;
    }
    return address;
}

std::optional<std::chrono::microseconds> parse_watchdog_usec(const char* usec, const char* pid, pid_t self) {
    if (usec == nullptr || *usec == '\0') return std::nullopt;
    if (pid != nullptr && *pid != '\0') {
        long long target = 0;
        const std::string_view text(pid);
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), target);
        if (ec != std::errc{} || end != text.data() + text.size() || target != self) return std::nullopt;
    }
    unsigned long long value = 0;
    const std::string_view text(usec);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value == 0) return std::nullopt;
    return std::chrono::microseconds(value);
}

SystemdNotifier SystemdNotifier::from_environment() {
    std::string error;
    const char* socket_env = std::getenv("NOTIFY_SOCKET");
    auto address = parse_notify_socket(socket_env ? socket_env : "", error);
    if (!error.empty()) spdlog::warn("systemd notification off: {}", error);
    auto watchdog = parse_watchdog_usec(std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"), ::getpid());
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
    return SystemdNotifier(std::move(address), address ? watchdog : std::nullopt);
}

SystemdNotifier::SystemdNotifier(std::optional<NotifyAddress> address,
                                 std::optional<std::chrono::microseconds> watchdog)
    : address_(std::move(address)), watchdog_(watchdog) {
    if (!address_) return;
    socket_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (socket_ < 0) spdlog::warn("systemd notification off: socket: {}", std::strerror(errno));
}

SystemdNotifier::~SystemdNotifier() {
    stop_watchdog();
    if (socket_ >= 0) ::close(socket_);
}

void SystemdNotifier::send(const std::string& message) {
    if (socket_ < 0) return;
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    socklen_t length = 0;
    if (address_->abstract) {
        std::memcpy(sa.sun_path + 1, address_->name.data(), address_->name.size());
        length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + address_->name.size());
    } else {
        std::memcpy(sa.sun_path, address_->name.data(), address_->name.size());
        length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_->name.size() + 1);
    }
    const auto sent = ::sendto(socket_, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                               reinterpret_cast<const sockaddr*>(&sa), length);
    if (sent < 0 && !send_failed_logged_) {
        send_failed_logged_ = true;  // systemd gone or its queue full: say it once, keep running
        spdlog::warn("systemd notification to {}{} failed: {}", address_->abstract ? "@" : "", address_->name,
                     std::strerror(errno));
    }
}

void SystemdNotifier::ready(std::string_view status) {
    if (!status.empty()) last_status_ = status;
    send("READY=1\nSTATUS=" + last_status_);
}

void SystemdNotifier::reloading() {
    // MONOTONIC_USEC lets systemd (253+, Type=notify-reload) tell this reload from an older one.
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const auto usec = static_cast<unsigned long long>(now.tv_sec) * 1000000ULL +
                      static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=reloading the configuration");
}

void SystemdNotifier::stopping(std::chrono::milliseconds grace) {
    // The drain may take listen.shutdown_grace; ask for that plus a margin beyond TimeoutStopSec.
    const auto extend = std::chrono::duration_cast<std::chrono::microseconds>(grace + std::chrono::seconds(10));
    send("STOPPING=1\nEXTEND_TIMEOUT_USEC=" + std::to_string(extend.count()) +
         "\nSTATUS=stopping: no new clients, draining sessions");
}

void SystemdNotifier::status(std::string_view status) {
    last_status_ = status;
    send("STATUS=" + last_status_);
}

void SystemdNotifier::start_watchdog(const boost::asio::any_io_executor& executor) {
    if (socket_ < 0 || !watchdog_) return;
    timer_ = std::make_unique<boost::asio::steady_timer>(executor);
    send("WATCHDOG=1");
    arm_watchdog();
}

void SystemdNotifier::arm_watchdog() {
    timer_->expires_after(*watchdog_ / 2);
    timer_->async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        send("WATCHDOG=1");
        arm_watchdog();
    });
}

void SystemdNotifier::stop_watchdog() {
    if (timer_) timer_->cancel();
}

}  // namespace pgfront::app
