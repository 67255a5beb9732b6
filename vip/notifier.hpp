// Notifier: runs the `vip.notify` command on each state change, one at a time and in order
// on its own thread, so a slow script never delays VRRP. Each run is bounded (30 s).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace pgfront::vip {

// Pure: the argv that runs `command` with the arguments STATE VRID ADDRESS, where STATE is
// MASTER, BACKUP, FAULT or STOP (keepalived's words). `command` may carry its own
// arguments; it is run by /bin/sh with ours appended.
std::vector<std::string> notify_argv(const std::string& command, std::string_view state, int vrid,
                                     const std::string& address);

class Notifier {
  public:
    explicit Notifier(std::string command);
    // Lets queued runs finish for up to 5 s, then kills what still runs.
    ~Notifier();
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    void notify(std::string_view state, int vrid, const std::string& address);

  private:
    void run();
    void run_one(const std::vector<std::string>& argv);

    std::string command_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::vector<std::string>> queue_;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point stop_deadline_{};
    std::thread thread_;
};

}  // namespace pgfront::vip
