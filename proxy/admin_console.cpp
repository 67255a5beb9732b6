// See admin_console.hpp. Answers follow PgBouncer 1.18: the same command tags, the same
// error texts for an unknown command or a stats user's PAUSE (SQLSTATE 08P01), and the
// session stays usable after an error.
#include "proxy/admin_console.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/version.hpp"
#include "protocol/backend_status.hpp"
#include "net/cross_thread_inbox.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/simple_query.hpp"
#include "protocol/sqlstate.hpp"
#include "proxy/console_command.hpp"
#include "proxy/console_tables.hpp"
#include "proxy/proxy_control.hpp"
#include "proxy/worker.hpp"

namespace pgfront::proxy {
namespace asio = boost::asio;
namespace sqlstate = protocol::sqlstate;

namespace {

constexpr std::size_t max_console_message = 64 * 1024;

// A ProxyControl callback, awaited: the answer (given on any thread) resumes the coroutine on
// its own executor.
template <class Result, class Start>
auto answer_of(Start start) {
    return asio::async_initiate<const asio::use_awaitable_t<>, void(Result)>(
        [start = std::move(start)](auto handler) mutable {
            net::ReturnAddress back(asio::get_associated_executor(handler));
            // std::function wants a copyable callback; the coroutine's handler is move-only.
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            start([back, shared](Result result) {
                back.post([shared, result = std::move(result)]() mutable {
                    std::move(*shared)(std::move(result));
                });
            });
        },
        asio::use_awaitable);
}

asio::awaitable<ProxyControl::SnapshotPtr> take_snapshot(ProxyControl& control) {
    co_return co_await answer_of<ProxyControl::SnapshotPtr>(
        [&control](auto done) { control.snapshot(std::move(done)); });
}

}  // namespace

bool is_console_database(std::string_view database) { return database == "pgbouncer" || database == "pgfront"; }

AdminConsole::AdminConsole(Worker& worker, tls::SocketStream& client, pool::FrameBuffer& input, std::string user,
                           bool admin)
    : worker_(worker), client_(client), input_(input), user_(std::move(user)), admin_(admin) {}

// Plain functions, not coroutines: g++ 12 mishandles braced arguments inside coroutines.
void AdminConsole::error(std::string_view state, const std::string& message) {
    protocol::write_error_response(out_, {protocol::Severity::error, state, message});
}

void AdminConsole::fatal(std::string_view state, const std::string& message) {
    protocol::write_error_response(out_, {protocol::Severity::fatal, state, message});
}

void AdminConsole::warn(const std::string& message) {
    protocol::write_notice_response(out_, {protocol::Severity::warning, sqlstate::warning, message});
}

asio::awaitable<bool> AdminConsole::send() {
    protocol::write_ready_for_query(out_, protocol::TransactionStatus::idle);
    auto [ec, n] = co_await asio::async_write(client_, asio::buffer(out_), asio::as_tuple(asio::use_awaitable));
    out_.clear();
    co_return !ec;
}

asio::awaitable<void> AdminConsole::run() {
    spdlog::info("admin console login user={} admin={}", user_, admin_);
    protocol::write_authentication_ok(out_);
    // What PgBouncer's console reports, so clients that look at server_version behave alike.
    protocol::write_parameter_status(out_, "server_version", "1.18.0/bouncer");
    protocol::write_parameter_status(out_, "client_encoding", "UTF8");
    protocol::write_parameter_status(out_, "server_encoding", "UTF8");
    protocol::write_parameter_status(out_, "DateStyle", "ISO");
    protocol::write_parameter_status(out_, "standard_conforming_strings", "on");
    protocol::write_parameter_status(out_, "application_name", "pgfront");
    protocol::write_backend_key_data(out_, 0, 0);
    if (!co_await send()) co_return;
    for (;;) {
        const auto frame = input_.next(protocol::Sender::frontend, max_console_message);
        if (frame.is_error()) {
            fatal(sqlstate::protocol_violation, "invalid message: " + std::string(frame.error));
            co_await asio::async_write(client_, asio::buffer(out_), asio::as_tuple(asio::use_awaitable));
            co_return;
        }
        if (!frame.is_frame()) {
            auto area = input_.write_area(1024);
            auto [ec, n] = co_await client_.async_read_some(asio::buffer(area.data(), area.size()),
                                                            asio::as_tuple(asio::deferred));
            if (ec) co_return;
            input_.commit(n);
            continue;
        }
        const char type = frame.type;
        const auto query = type == 'Q' ? protocol::Query::parse(frame.payload) : std::nullopt;
        const std::string sql = query ? std::string(query->sql) : std::string();
        input_.consume(frame.consumed);
        if (type == 'X') co_return;
        if (type != 'Q' || !query) {
            fatal(sqlstate::feature_not_supported, "the admin console speaks only the simple query protocol");
            co_await asio::async_write(client_, asio::buffer(out_), asio::as_tuple(asio::use_awaitable));
            co_return;
        }
        if (!co_await execute(sql)) co_return;
    }
}

// One statement per query, as PgBouncer's console takes them.
asio::awaitable<bool> AdminConsole::execute(std::string_view sql) {
    const auto command = parse_console_command(sql);
    using Kind = ConsoleCommand::Kind;
    auto& control = worker_.services().control;
    if (command.kind == Kind::invalid) {
        error(sqlstate::protocol_violation, command.error);
        co_return co_await send();
    }
    if (command.needs_admin() && !admin_) {
        error(sqlstate::protocol_violation, "admin access needed");
        co_return co_await send();
    }
    switch (command.kind) {
        case Kind::show:
            co_return co_await show(command.argument);
        case Kind::pause:
            co_return co_await pause(command.argument);
        case Kind::resume: {
            std::optional<std::string> database;
            if (!command.argument.empty()) database = command.argument;
            if (!control.resume(database)) {
                error(sqlstate::protocol_violation,
                      database ? "database " + *database + " is not paused" : std::string("pooler is not paused"));
            } else {
                spdlog::info("admin console RESUME user={} db={}", user_, database.value_or("(all)"));
                protocol::write_command_complete(out_, "RESUME");
            }
            co_return co_await send();
        }
        case Kind::kill: {
            if (is_console_database(command.argument)) {
                error(sqlstate::protocol_violation, "cannot kill admin db: " + command.argument);
                co_return co_await send();
            }
            spdlog::info("admin console KILL user={} db={}", user_, command.argument);
            control.kill_database(command.argument);
            protocol::write_command_complete(out_, "KILL");
            co_return co_await send();
        }
        case Kind::reload:
            co_return co_await reload();
        case Kind::shutdown:
            spdlog::info("admin console SHUTDOWN user={}", user_);
            control.shutdown();
            protocol::write_command_complete(out_, "SHUTDOWN");
            co_return co_await send();
        case Kind::invalid:
            break;
    }
    co_return false;
}

asio::awaitable<bool> AdminConsole::show(const std::string& subject) {
    if (subject == "HELP") {  // what every "invalid command" points to; a NOTICE, as PgBouncer's
        protocol::write_notice_response(
            out_, {protocol::Severity::notice, sqlstate::successful_completion, "Console usage",
                   "SHOW HELP|POOLS|STATS|STATS_TOTALS|CLIENTS|SERVERS|DATABASES|USERS|LISTS|CONFIG|VERSION\n"
                   "PAUSE [<db>]\nRESUME [<db>]\nKILL <db>\nRELOAD\nSHUTDOWN"});
        protocol::write_command_complete(out_, "SHOW");
        co_return co_await send();
    }
    const auto snapshot = co_await take_snapshot(worker_.services().control);
    const auto topology = worker_.topology();
    const ConsoleFacts facts{*snapshot, worker_.config(), topology.get(), PGFRONT_VERSION,
                             std::chrono::system_clock::now()};
    const auto table = console_show(subject, facts);
    if (!table) error(sqlstate::protocol_violation, "invalid command 'SHOW " + subject + "', use SHOW HELP;");
    else write_console_table(out_, *table);
    co_return co_await send();
}

// PgBouncer's PAUSE: answers once no server connection of that scope is in use.
asio::awaitable<bool> AdminConsole::pause(const std::string& database) {
    auto& control = worker_.services().control;
    if (is_console_database(database)) {
        error(sqlstate::protocol_violation, "cannot pause admin db: " + database);
        co_return co_await send();
    }
    std::optional<std::string> scope;
    if (!database.empty()) scope = database;
    spdlog::info("admin console PAUSE user={} db={}", user_, scope.value_or("(all)"));
    control.pause(scope);
    asio::steady_timer poll(worker_.context());
    for (;;) {
        const auto snapshot = co_await take_snapshot(control);
        const auto busy = std::count_if(snapshot->servers.begin(), snapshot->servers.end(), [&](const ServerView& s) {
            return s.active && (!scope || s.database == *scope);
        });
        if (busy == 0) break;
        if (!client_.is_open()) co_return false;
        poll.expires_after(std::chrono::milliseconds(50));
        co_await poll.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    protocol::write_command_complete(out_, "PAUSE");
    co_return co_await send();
}

asio::awaitable<bool> AdminConsole::reload() {
    auto& control = worker_.services().control;
    spdlog::info("admin console RELOAD user={}", user_);
    const auto outcome = co_await answer_of<ReloadOutcome>([&control](auto done) { control.reload(std::move(done)); });
    if (!outcome.applied) {
        std::string message = "reload rejected, the running configuration is kept:";
        for (const auto& e : outcome.errors) message += " " + e + ";";
        error(sqlstate::config_file_error, message);
    } else {
        for (const auto& key : outcome.restart_required) warn(key + " changes only after a restart");
        protocol::write_command_complete(out_, "RELOAD");
    }
    co_return co_await send();
}

}  // namespace pgfront::proxy
