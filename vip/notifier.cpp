// Running the notify command (see notifier.hpp).
#include "vip/notifier.hpp"

#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

extern char** environ;

namespace pgfront::vip {

namespace {
constexpr auto kRunLimit = std::chrono::seconds(30);
constexpr auto kStopLimit = std::chrono::seconds(5);
}  // namespace

std::vector<std::string> notify_argv(const std::string& command, std::string_view state, int vrid,
                                     const std::string& address) {
    return {"/bin/sh",
            "-c",
            command + " \"$@\"",
            "pgfront-notify",
            std::string(state),
            std::to_string(vrid),
            address};
}

Notifier::Notifier(std::string command) : command_(std::move(command)) {
    thread_ = std::thread([this] { run(); });
}

Notifier::~Notifier() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        stop_deadline_ = std::chrono::steady_clock::now() + kStopLimit;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Notifier::notify(std::string_view state, int vrid, const std::string& address) {
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() >= 64) {
            spdlog::warn("vip: notify queue full, dropping '{}' notification", state);
            return;
        }
        queue_.push_back(notify_argv(command_, state, vrid, address));
    }
    wake_.notify_one();
}

void Notifier::run() {
    for (;;) {
        std::vector<std::string> argv;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            if (stopping_ && std::chrono::steady_clock::now() >= stop_deadline_) return;
            argv = std::move(queue_.front());
            queue_.pop_front();
        }
        run_one(argv);
    }
}

void Notifier::run_one(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // Sockets and files of pgfront (listeners, the VRRP socket) must not leak into scripts.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);

    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0].c_str(), &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        spdlog::error("vip: cannot run notify command '{}': {}", command_, std::strerror(rc));
        return;
    }
    const auto started = std::chrono::steady_clock::now();
    for (;;) {
        int status = 0;
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                spdlog::warn("vip: notify command '{} {}' failed (status {})", command_, argv[4],
                             status);
            }
            return;
        }
        if (done < 0 && errno != EINTR) return;
        const auto now = std::chrono::steady_clock::now();
        bool give_up = now - started >= kRunLimit;
        {
            std::lock_guard lock(mutex_);
            give_up = give_up || (stopping_ && now >= stop_deadline_);
        }
        if (give_up) {
            spdlog::warn("vip: notify command '{} {}' still running; killing it", command_,
                         argv[4]);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace pgfront::vip
