// Idle server check (see server_check.hpp).
#include "pool/server_check.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/completion_tokens.hpp"
#include "net/guarded_deadline.hpp"
#include "protocol/backend_status.hpp"
#include "protocol/message_writer.hpp"

namespace pgfront::pool {
namespace asio = boost::asio;

namespace {
using net::nothrow;
constexpr std::size_t max_check_message = 1024 * 1024;
}  // namespace

asio::awaitable<bool> run_server_check(ServerConnection& server, std::string_view query,
                                       std::chrono::milliseconds timeout) {
    // A server that does not answer in time is closed, which ends the read below.
    net::GuardedDeadline deadline(server.socket().get_executor());
    deadline.arm(timeout, [&server] { server.close(); });
    protocol::ByteBuffer bytes;
    protocol::write_query(bytes, query);
    auto [wec, written] = co_await asio::async_write(server.socket(), asio::buffer(bytes), nothrow);
    if (wec) co_return false;
    auto& input = server.input();
    bool failed = false;
    for (;;) {
        const auto frame = input.next(protocol::Sender::backend, max_check_message);
        if (frame.is_error()) co_return false;
        if (frame.is_frame()) {
            if (frame.type == 'E') failed = true;
            // A server-wide change (ALTER SYSTEM and a reload) is reported in the reply to the
            // first query after it, which may be this one: what we know of the server must
            // follow, or the session's settings are not set back on it.
            if (frame.type == 'S') server.note_parameter_status(frame.payload);
            if (frame.type == 'Z') {
                const auto status = protocol::ReadyForQuery::parse(frame.payload);
                input.consume(frame.consumed);
                deadline.cancel();
                co_return !failed && status && status->status == protocol::TransactionStatus::idle;
            }
            input.consume(frame.consumed);
            continue;
        }
        auto area = input.write_area();
        auto [rec, n] = co_await server.socket().async_read_some(
            asio::buffer(area.data(), area.size()), nothrow);
        if (rec) co_return false;
        input.commit(n);
    }
}

}  // namespace pgfront::pool
