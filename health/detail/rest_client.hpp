// RestClient: HTTP/1.1 GET against one Patroni REST API with keep-alive, one request at a
// time, one deadline covering resolve+connect+write+read. Internal to health/ (Asio, Beast).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "conf/config.hpp"
#include "health/api_url.hpp"

namespace pgfront::health::detail {

struct RestResponse {
    unsigned status = 0;
    std::string body;
};

// Either a response (any HTTP status) or why there is none; never throws for network errors.
struct RestOutcome {
    std::optional<RestResponse> response;
    std::string error;
};

class RestClient {
  public:
    // Completions run on `executor`; callers keep to that executor (a strand).
    RestClient(const boost::asio::any_io_executor& executor, ApiUrl url, std::size_t body_limit);
    ~RestClient();
    RestClient(const RestClient&) = delete;
    RestClient& operator=(const RestClient&) = delete;

    // GET url.target(path). A kept-alive connection the server closed meanwhile is retried
    // once on a fresh connection within the same deadline.
    boost::asio::awaitable<RestOutcome> get(std::string_view path, conf::Duration timeout);

    // Aborts a request in flight (it completes with an error) and drops the connection.
    void close();

    const ApiUrl& url() const { return url_; }

  private:
    struct Connection;
    boost::asio::awaitable<RestOutcome> attempt(const std::string& target, bool may_retry);
    boost::asio::awaitable<std::string> connect();

    ApiUrl url_;
    std::size_t body_limit_;
    std::shared_ptr<Connection> conn_;
    boost::asio::steady_timer deadline_;
};

}  // namespace pgfront::health::detail
