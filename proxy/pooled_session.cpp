// Pooled client session (see pooled_session.hpp). serve() reads top to bottom: startup,
// authentication and welcome (pooled_session_login.cpp), then a relay loop that leases a
// server per session, transaction or statement and gives it back at the boundary the
// pipeline tracker reports.
#include "proxy/pooled_session.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <tuple>

#include "conf/units.hpp"
#include "net/completion_tokens.hpp"
#include "pool/statement_release_query.hpp"
#include "pool/effective_settings.hpp"
#include "pool/release_words.hpp"
#include "pool/streamed_message.hpp"
#include "protocol/backend_status.hpp"
#include "protocol/error_fields.hpp"
#include "protocol/message_type.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/sqlstate.hpp"
#include "proxy/admin_console.hpp"
#include "proxy/cancel_directory.hpp"
#include "proxy/idle_sweeper.hpp"
#include "proxy/pool_registry.hpp"
#include "proxy/route_choice.hpp"
#include "proxy/server_view.hpp"
#include "proxy/session_lifetime.hpp"
#include "proxy/worker.hpp"

namespace pgfront::proxy {
namespace asio = boost::asio;
using asio::ip::tcp;
namespace sqlstate = protocol::sqlstate;

namespace {
using net::nothrow;
using net::deferred_nothrow;

asio::const_buffer as_buffer(protocol::Bytes bytes) { return {bytes.data(), bytes.size()}; }

// Buffers keep their capacity between messages; one that grew for a big batch gives it back
// so that idle clients stay small.
void release_large(protocol::ByteBuffer& buffer) {
    buffer.clear();
    if (buffer.capacity() > 64 * 1024) protocol::ByteBuffer().swap(buffer);
}
}  // namespace

PooledSession::PooledSession(Worker& worker, tcp::socket client, ListenerRole role)
    : worker_(worker),
      client_(std::move(client)),
      tls_(worker.tls()),
      login_timer_(std::make_unique<net::GuardedDeadline>(worker.context().get_executor())),
      role_(role),
      id_(worker.services().next_session_id.fetch_add(1, std::memory_order_relaxed)),
      peer_(describe_peer(client_.lowest_layer())),
      max_packet_size_(worker.config().pool.max_packet_size) {
    boost::system::error_code ec;
    client_.lowest_layer().set_option(tcp::no_delay(true), ec);
    if (worker.config().listen.tcp_keepalive) client_.lowest_layer().set_option(asio::socket_base::keep_alive(true), ec);
    // A client's next request comes after its answer, and pgfront reads the client right
    // after sending that: the at-once recv nearly always failed (0.9 per transaction with
    // pgbench -S).
    client_.set_draining_reads(net::Draining::any_short_read);
}

PooledSession::~PooledSession() = default;

asio::awaitable<void> PooledSession::run(std::shared_ptr<PooledSession> self) {
    auto& worker = self->worker_;
    const SessionLifetime lifetime(worker, *self);

    co_await self->serve();

    if (self->login_timer_) self->login_timer_->cancel();
    // The tracker decides whether the server is clean enough to reuse.
    if (self->server_) co_await self->release_server();
    boost::system::error_code ignored;
    self->client_.close(ignored);
    if (self->cancel_secret_ != 0)
        worker.services().cancels.remove(CancelKey::of_session(self->id_, self->cancel_secret_));
    spdlog::debug("session closed id={} client={} user={} db={} reason={}", self->id_, self->peer_, self->user_,
                  self->database_, self->close_reason_.empty() ? "client left" : self->close_reason_);
}

void PooledSession::close(std::string reason) {
    if (close_reason_.empty()) close_reason_ = std::move(reason);
    boost::system::error_code ignored;
    client_.close(ignored);
    if (server_) server_->close();
    if (pause_timer_) pause_timer_->expires_at(Clock::time_point::min());  // ends a PAUSE wait
}

void PooledSession::terminate(std::string reason) {
    if (!welcomed_ || wait_ == ClientWait::busy || state_ == ClientState::paused) {
        close(std::move(reason));
        return;
    }
    // It waits in read_client(): the same wake-up as an idle timeout, with the kill's error.
    if (close_reason_.empty()) close_reason_ = std::move(reason);
    expire_idle(IdleExpiry{sqlstate::admin_shutdown, "terminating connection due to administrator command"});
}

ClientView PooledSession::view(Clock::time_point now) const {
    ClientView v;
    v.id = id_;
    v.role = role_;
    v.address = peer_;
    v.database = database_;
    v.user = user_;
    if (wanted_reported_)
        if (const auto name = pool::value_of(*wanted_reported_, "application_name")) v.application_name = *name;
    v.state = state_;
    v.node = node_;
    v.connected_seconds = std::chrono::duration<double>(now - connected_at_).count();
    v.state_seconds = std::chrono::duration<double>(now - state_since_).count();
    v.tls = client_.encrypted();
    if (server_) v.server_id = static_cast<std::uint64_t>(server_->backend_pid());
    return v;
}

std::optional<CancelTarget> PooledSession::cancel_target() const {
    if (!server_) return std::nullopt;
    return CancelTarget{server_->endpoint(), server_->backend_pid(), server_->backend_secret()};
}

std::optional<ServerView> PooledSession::server_view(Clock::time_point now) const {
    if (!server_) return std::nullopt;
    return describe_server(*server_, role_, database_, user_, id_, now);
}

asio::awaitable<bool> PooledSession::send(protocol::ByteBuffer& bytes) {
    auto [ec, n] = co_await asio::async_write(client_, asio::buffer(bytes), nothrow);
    bytes.clear();
    co_return !ec;
}

asio::awaitable<void> PooledSession::fail(std::string_view state, std::string message) {
    if (!welcomed_) worker_.stats().rejected[static_cast<int>(role_)].fetch_add(1, std::memory_order_relaxed);
    spdlog::info("client refused id={} client={} user={} db={} sqlstate={} message=\"{}\"", id_, peer_, user_,
                 database_, state, message);
    protocol::ByteBuffer bytes;
    protocol::write_error_response(bytes, {protocol::Severity::fatal, state, message});
    co_await send(bytes);
    if (close_reason_.empty()) close_reason_ = message;
}

asio::awaitable<void> PooledSession::serve() {
    login_timer_->arm(worker_.config().listen.client_login_timeout, [this] { close("login timeout"); });
    if (!co_await read_startup()) co_return;
    if (is_console_database(database_)) {
        co_await serve_console();
        co_return;
    }
    mode_ = pool::effective_settings(worker_.config().pool, database_, user_).mode;
    if (!co_await authenticate()) co_return;
    if (!co_await welcome()) co_return;
    login_timer_.reset();  // cancels it; a logged-in client keeps no timer (idle clients stay small)
    const IdleWatch idle_watch(worker_.idle_sweeper(), *this);
    co_await relay();
}


std::pair<ClientWait, PooledSession::Clock::time_point> PooledSession::idle_wait() const {
    return {wait_, wait_since_};
}

// The sweeper found the client idle for too long: wake the read it waits in (shutting down
// the receiving side makes the socket readable) and let read_client() say why and end it.
void PooledSession::expire_idle(IdleExpiry expiry) {
    if (idle_expiry_) return;
    idle_expiry_ = expiry;
    boost::system::error_code ignored;
    client_.shutdown(tcp::socket::shutdown_receive, ignored);
}

// What the client is to us while we wait for it: idle outside or inside a transaction, or busy
// (in the middle of a COPY, or with replies still due).
ClientWait PooledSession::current_wait() const {
    return client_wait(server_ ? &server_->tracker() : nullptr);
}


// A server for the client's next session or transaction, on the node routing says is right
// now. Before the client's ReadyForQuery, waiting for a node is bounded by listen.connect_wait;
// after it (transaction and statement mode), by pool.failover_hold: a client between
// transactions when the primary changes simply runs its next one on the new primary.
// PAUSE (proxyctl pause, the console's PAUSE): the client's next transaction waits for RESUME,
// as long as query_wait_timeout allows (0: no limit), like PgBouncer's.
asio::awaitable<bool> PooledSession::wait_while_paused() {
    const auto wait_limit = pool::effective_settings(worker_.config().pool, database_, user_).pool.query_wait_timeout;
    enter(ClientState::paused, Clock::now());
    pause_timer_ = std::make_unique<asio::steady_timer>(worker_.context());
    if (wait_limit.count() > 0) pause_timer_->expires_after(wait_limit);
    else pause_timer_->expires_at(Clock::time_point::max());
    const bool resumed = co_await worker_.pause_gate().wait(*pause_timer_, database_);
    pause_timer_.reset();
    if (resumed) co_return true;
    if (client_.is_open())
        co_await fail(sqlstate::query_canceled, "query_wait_timeout: pgfront is paused (PAUSE) and was not resumed in time");
    co_return false;
}

const health::NodeState* PooledSession::choose_node_now(const health::Topology& topology, RotationTurn turn) {
    const RoutePolicy policy{worker_.config().listen.replica_fallback_to_primary};
    auto sessions_on = [this](std::string_view node) { return worker_.sessions().sessions_on(node); };
    const auto rotation = turn == RotationTurn::take ? worker_.next_rotation() : worker_.peek_rotation();
    return choose_node(topology, role_, policy, sessions_on, rotation);
}

pool::ServerPool& PooledSession::pool_on(const health::NodeState& node) {
    auto& pools = worker_.pools();
    if (!pool_.pool || pool_.generation != pools.generation() || pool_.node != node.name || pool_.pool->draining()) {
        pool_.pool = &pools.get(PoolKey{role_, node.name, database_, user_}, conf::Endpoint{node.host, node.port},
                                worker_.config(), server_login());
        pool_.node = node.name;
        pool_.generation = pools.generation();
    }
    return *pool_.pool;
}

// Runs for every transaction: no configuration snapshot (an atomic count) is kept; each
// read after a co_await asks the worker for the current configuration.
asio::awaitable<bool> PooledSession::acquire_server() {
    const auto started = Clock::now();
    enter(ClientState::waiting, started);
    const auto patience = welcomed_ ? worker_.config().pool.failover_hold : worker_.config().listen.connect_wait;
    const auto deadline = started + patience;
    const auto out_of_time = [&]() -> asio::awaitable<bool> {
        if (Worker::Clock::now() < deadline && client_.is_open()) co_return false;
        worker_.stats().no_node_errors.fetch_add(1, std::memory_order_relaxed);
        std::string message = role_ == ListenerRole::primary ? "no primary" : "no replica";
        message += " was available in cluster '" + worker_.config().cluster.name + "' within " +
                   std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(patience).count()) + " ms (";
        message += welcomed_ ? "pool.failover_hold)" : "listen.connect_wait)";
        co_await fail(sqlstate::cannot_connect_now, std::move(message));
        co_return true;
    };
    for (bool first = true;; first = false) {
        const auto topology = worker_.topology();
        const auto* node = topology ? choose_node_now(*topology) : nullptr;
        if (!node) {
            if (co_await out_of_time()) co_return false;
            co_await worker_.topology_change(deadline);
            continue;
        }
        auto& pool = pool_on(*node);
        const auto asked = first ? started : Clock::now();
        pool::Lease lease{pool.lend_idle(asked), std::nullopt};
        const bool at_once = lease.server != nullptr;
        if (!at_once) lease = co_await pool.acquire(asked);
        const auto granted = at_once ? asked : Clock::now();
        pool.stats().wait_seconds.observe(std::chrono::duration<double>(granted - asked).count());
        if (lease.failure) {
            // A node that can't be reached may be failing over: wait for routing to move on
            // rather than fail a client that is only asking for its next transaction.
            if (!lease.failure->definitive && Worker::Clock::now() < deadline && client_.is_open()) {
                co_await worker_.topology_change(
                    std::min(deadline, Worker::Clock::now() + worker_.config().health.failover_interval));
                continue;
            }
            if (!lease.failure->server_error.empty()) {
                out_ = lease.failure->server_error;
                co_await send(out_);
                close_reason_ = lease.failure->message;
            } else {
                co_await fail(lease.failure->sqlstate, lease.failure->message);
            }
            co_return false;
        }
        server_ = std::move(lease.server);
        stats_ = &pool.stats();
        enter(ClientState::active, granted);
        node_ = server_->node();
        worker_.sessions().bind(node_);
        // Plain functions, not coroutines, on this path: each awaited coroutine is a frame
        // allocated per transaction.
        if (const auto check = check_lease(role_, granted); check != LeaseCheck::usable) {
            server_->close();
            co_await release_server();
            if (co_await out_of_time()) co_return false;
            if (check == LeaseCheck::read_only)
                co_await worker_.topology_change(
                    std::min(deadline, Worker::Clock::now() + worker_.config().health.failover_interval));
            continue;
        }
        server_->statements().set_capacity(static_cast<std::size_t>(worker_.config().pool.max_prepared_statements));
        if (parameters_in_sync()) co_return true;
        co_return co_await sync_parameters();
    }
}

// A leased server is given back (and closed) instead of used when it spoke or hung up while
// idle (a server shutting down sends its FATAL to idle connections too), or when a "primary"
// turns out to be in recovery.
PooledSession::LeaseCheck PooledSession::check_lease(ListenerRole role, Clock::time_point now) {
    bool usable = server_->input().empty();
    // Only a plain socket can be peeked: on a TLS leg, bytes waiting may be TLS housekeeping
    // (a session ticket) rather than a message, so a dead TLS server shows at first use.
    // A server back in its pool for only a moment is not peeked: under load that is nearly
    // every lease, and the extra system call per transaction costs more than the rare server
    // that dies within those milliseconds (its client gets the usual lost-connection error).
    constexpr auto peek_after = std::chrono::milliseconds(20);
    if (usable && !server_->socket().encrypted() && now - server_->idle_since() >= peek_after) {
        std::byte probe{};
        const auto n = ::recv(server_->socket().lowest_layer().native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
        usable = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    auto check = usable ? LeaseCheck::usable : LeaseCheck::stale;
    // The lease may have come through while routing moved on (a waiter served by a pool
    // whose node has just lost the role): never start a transaction there.
    if (usable && (!worker_.topology() || !node_takes_new_work(*worker_.topology(), role, node_))) {
        spdlog::debug("session id={} got a server on {} which no longer serves the {} port; retrying", id_, node_,
                      to_string(role));
        check = LeaseCheck::read_only;  // wait for routing, as for a read-only "primary"
    }
    if (usable && role == ListenerRole::primary && server_->in_hot_standby()) {
        spdlog::warn("primary-port server reports in_hot_standby=on; not using it node={} id={} db={} user={}", node_, id_, database_, user_);
        worker_.stats().read_only_refusals.fetch_add(1, std::memory_order_relaxed);
        worker_.services().report_read_only(node_);
        check = LeaseCheck::read_only;
    }
    return check;
}

struct PooledSession::InternalQueryResult {
    bool ok = false;                         // the query ran and the server is at a boundary
    std::optional<protocol::ByteBuffer> error;  // the server's ErrorResponse, if it sent one
    bool succeeded() const { return ok && !error; }
};

// Runs a query of pgfront's own on the leased server and reads its replies to the end; the
// client sees none of them. ParameterStatus messages still update what we know of the server.
asio::awaitable<PooledSession::InternalQueryResult> PooledSession::run_internal_query(std::string_view sql) {
    InternalQueryResult result;
    protocol::ByteBuffer bytes;
    protocol::write_query(bytes, sql);
    auto& tracker = server_->tracker();
    if (!tracker.on_frontend('Q', protocol::Bytes(bytes).subspan(5))) co_return result;
    auto [ec, n] = co_await asio::async_write(server_->socket(), asio::buffer(bytes), nothrow);
    if (ec) co_return result;
    auto& input = server_->input();
    while (!tracker.at_boundary()) {
        const auto frame = input.next(protocol::Sender::backend, max_packet_size_);
        if (frame.is_error()) co_return result;
        if (frame.is_frame()) {
            if (!tracker.on_backend(frame.type, frame.payload)) co_return result;
            if (frame.type == 'S') {
                server_->note_parameter_status(frame.payload);
            } else if (frame.type == 'E') {
                const auto whole = input.pending().first(frame.consumed);
                result.error.emplace(whole.begin(), whole.end());
            }
            input.consume(frame.consumed);
            if (!tracker.reusable()) co_return result;
            if (frame.type == 'Z') break;
            continue;
        }
        auto area = input.write_area();
        auto [rec, rn] = co_await server_->socket().async_read_some(asio::buffer(area.data(), area.size()), nothrow);
        if (rec) co_return result;
        input.commit(rn);
    }
    result.ok = tracker.at_boundary();
    co_return result;
}

// Session mode: the server is reset before the next client gets it.
asio::awaitable<bool> PooledSession::reset_server() {
    const auto query = worker_.config().pool.server_reset_query;  // a copy: read again after the await
    if (query.empty()) co_return true;
    const auto result = co_await run_internal_query(query);
    if (!result.succeeded()) co_return false;
    if (pool::StatementReleaseQuery::classify(query).kind == pool::StatementReleaseQuery::Kind::discard_all) {
        server_->statements().clear();
        server_->other_settings().clear();
    } else {
        // Unknown effect on prepared statements and settings: nothing of ours may rely on them.
        co_return server_->statements().size() == 0 && server_->other_settings().empty();
    }
    co_return true;
}

// Most leases find the server as the client wants it, with no SET to run: this is checked
// before sync_parameters(), whose coroutine frame is then not made.
bool PooledSession::parameters_in_sync() const {
    return wanted_other_.empty() && server_->other_settings().empty() && server_->in_sync_with(wanted_reported_);
}

// Brings the leased server's settings in line with the client's before its transaction runs.
// A setting the server refuses (only possible from the startup packet) ends the client's
// session with the server's error, as PostgreSQL ends a login with a bad setting.
// A server-wide change (ALTER SYSTEM and a reload) is reported in the reply to the server's
// next query, which may be these very SETs: the settings are compared again after them. A
// value that never comes back as it was SET would otherwise loop, so the rounds are few.
asio::awaitable<bool> PooledSession::sync_parameters() {
    constexpr int max_rounds = 3;
    InternalQueryResult result{.ok = true, .error = std::nullopt};  // nothing run yet
    for (int round = 0; round < max_rounds && result.succeeded(); ++round) {
        if (parameters_in_sync()) co_return true;
        const bool only_reported = wanted_other_.empty() && server_->other_settings().empty();
        const auto sql =
            pool::sync_statements(*wanted_reported_, wanted_other_, server_->parameters(), server_->other_settings());
        if (sql.empty()) {
            // Equal as compared, not merely as SET: a SET's value may come back spelled otherwise.
            if (only_reported) server_->mark_in_sync_with(wanted_reported_);
            co_return true;
        }
        result = co_await run_internal_query(sql);
        if (result.succeeded()) server_->other_settings() = wanted_other_;
    }
    if (result.succeeded()) co_return true;
    if (result.error) {
        // Named locals: g++ 12 destroys temporaries of a ?: inside co_await twice.
        const auto fields = protocol::ErrorFields::parse(protocol::Bytes(*result.error).subspan(5));
        std::string state(sqlstate::connection_failure);
        std::string message = "server refused a session setting";
        if (fields) {
            state = fields->sqlstate();
            message = fields->message();
        }
        co_await fail(state, std::move(message));
    } else {
        co_await fail(sqlstate::connection_failure, server_lost());
    }
    co_return false;
}

// The lease ends; in session mode a server that may be reused is reset first.
asio::awaitable<void> PooledSession::release_server() {
    bool reusable = server_reusable();
    if (reusable && mode_ == conf::PoolMode::session) reusable = co_await reset_server();
    give_back_server(reusable);
}

bool PooledSession::server_reusable() const {
    const auto& tracker = server_->tracker();
    return tracker.at_boundary() && !tracker.in_transaction() && tracker.reusable() && server_->input().empty() &&
           server_->socket().is_open() && !rewriter_.server_doubtful() && !mid_message_;
}

// A plain function, not a coroutine: in transaction mode it runs after every transaction.
void PooledSession::give_back_server(bool reusable) {
    mid_message_ = false;
    rewriter_.reset();
    worker_.sessions().unbind(node_);
    node_.clear();
    stats_ = nullptr;
    transaction_started_ = {};
    const auto now = Clock::now();
    enter(ClientState::idle, now);
    pool_.pool->release(std::move(server_), reusable, now);
}

// Every ReadyForQuery ends a query (a simple query or an extended-protocol Sync); one that
// says idle ends a transaction too, as PgBouncer counts them.
void PooledSession::count_ready_for_query(protocol::Bytes payload) {
    ++stats_->queries;
    if (payload.empty() || payload[0] != std::byte{'I'}) return;
    ++stats_->transactions;
    if (transaction_started_ != Clock::time_point{}) {
        stats_->transaction_seconds.observe(std::chrono::duration<double>(Clock::now() - transaction_started_).count());
        transaction_started_ = {};
    }
}

bool PooledSession::rewrites_statements() const {
    return mode_ == conf::PoolMode::transaction || mode_ == conf::PoolMode::statement;
}

pool::StatementContext PooledSession::statement_context() {
    return {statements_, server_->statements(), worker_.statement_registry(), server_->tracker()};
}

// A ParameterStatus from the server during the client's own traffic: the server's value
// changed, and (since the client sees it) so did the client's session value.
void PooledSession::note_parameter_status(protocol::Bytes payload) {
    const auto parameter = protocol::ParameterStatus::parse(payload);
    if (!parameter) return;
    server_->note_parameter(parameter->name, parameter->value);
    const auto name = pool::synced_reported_name(parameter->name);
    if (!name || *name != parameter->name) return;
    if (pool::value_of(*wanted_reported_, *name) == std::optional<std::string_view>(parameter->value)) return;
    auto changed = *wanted_reported_;
    pool::set_value(changed, *name, parameter->value);
    wanted_reported_ = worker_.parameter_sets().intern(std::move(changed));
}

bool PooledSession::lease_may_end() const {
    switch (mode_) {
        case conf::PoolMode::transaction:
            return server_->tracker().at_boundary() && client_in_.empty();
        case conf::PoolMode::statement:
            return server_->tracker().at_boundary() && client_in_.empty();
        default:
            return false;
    }
}

// With nothing pending, the read goes into a small buffer (a buffer that grew for a bigger
// message is given back first): a typical request still arrives in one read. A client that
// paused before its last request (and every client right after its login) is first waited
// for without any buffer, so idle clients hold none (10,000 idle clients, 5 MB less) while a
// client in a tight request loop pays no extra wait. How long the client has been waited for
// is noted for the idle timeouts (idle_sweeper.hpp); a read the sweeper ended gets the
// timeout's error. The rest of a message that goes on in pieces is read in large chunks.
asio::awaitable<bool> PooledSession::read_client(bool rest_of_message) {
    // Halfway through a message the client holds a server that waits for the rest: idle in a
    // transaction, as far as the timeouts go (COPY data excepted, as for whole messages).
    if (!rest_of_message)
        wait_ = current_wait();
    else
        wait_ = server_->tracker().in_copy() ? ClientWait::busy : ClientWait::idle_in_transaction;
    wait_since_ = Clock::now();
    boost::system::error_code ec;
    std::size_t n = 0;
    const bool fresh = client_in_.empty() && !rest_of_message;
    // Not under TLS: the TLS layer may already hold the next request, decrypted.
    if (fresh && slow_client_ && !client_.encrypted()) {
        client_in_.release();
        // An idle expiry shuts the receiving side down, which also ends this wait.
        std::tie(ec) = co_await client_.lowest_layer().async_wait(tcp::socket::wait_read, deferred_nothrow);
    }
    if (!ec) {
        if (fresh) client_in_.release(idle_read_size);
        auto area = client_in_.write_area(rest_of_message ? stream_read_size : fresh ? idle_read_size : 4096);
        std::tie(ec, n) = co_await client_.async_read_some(asio::buffer(area.data(), area.size()), deferred_nothrow);
    }
    if (fresh) slow_client_ = Clock::now() - wait_since_ >= slow_client_pause;
    wait_ = ClientWait::busy;
    if (!ec && !idle_expiry_) {
        client_in_.commit(n);
        co_return true;
    }
    if (idle_expiry_) {
        const auto expiry = *idle_expiry_;
        co_await fail(expiry.sqlstate, std::string(expiry.message));
    }
    co_return false;
}

// 08P01 either way, as the protocol violation it is; a message that is merely too long says
// which setting refused it.
asio::awaitable<void> PooledSession::refuse_client_message(std::string_view error) {
    if (error == protocol::message_over_limit)
        co_await fail(sqlstate::protocol_violation,
                      "message from the client longer than pool.max_packet_size (" + conf::format_size(max_packet_size_) + ")");
    else
        co_await fail(sqlstate::protocol_violation, "invalid message from client: " + std::string(error));
}

asio::awaitable<bool> PooledSession::read_server() {
    auto& input = server_->input();
    auto area = input.write_area();
    auto [ec, n] = co_await server_->socket().async_read_some(asio::buffer(area.data(), area.size()), deferred_nothrow);
    if (ec) {
        co_await report_server_gone();
        co_return false;
    }
    input.commit(n);
    co_return co_await forward_server_messages();
}

// A server that sent a FATAL (pg_terminate_backend, a shutdown) has told the client why it
// goes: no second error of ours after it.
asio::awaitable<void> PooledSession::report_server_gone() {
    if (server_sent_fatal_) close_reason_ = "the server ended the session with a FATAL error";
    else if (client_.is_open()) co_await fail(sqlstate::connection_failure, server_lost());
}

std::string PooledSession::server_lost() const { return "server connection to " + node_ + " was lost"; }

// Whole client messages go to the server in one write; the tracker learns what replies each
// one will bring. They go as they are unless they name prepared statements (transaction and
// statement mode), which the rewriter maps onto the server's own; from the first such
// message on, the batch is rebuilt in to_server_. Terminate ends the session instead. A
// message too large to hold (pool/streamed_message.hpp) ends the batch and follows it in
// pieces as they arrive.
asio::awaitable<bool> PooledSession::forward_client_messages() {
    auto& tracker = server_->tracker();
    const bool may_rewrite = rewrites_statements();
    for (;;) {
        bool rewriting = false;
        std::size_t complete = 0;
        std::optional<pool::StreamedMessage> streamed;
        auto start_rewriting = [&] {
            rewriting = true;
            const auto before = client_in_.pending().first(complete);
            to_server_.assign(before.begin(), before.end());
        };
        for (;;) {
            const auto frame = protocol::read_frame(client_in_.pending().subspan(complete), protocol::Sender::frontend,
                                                    max_packet_size_);
            if (frame.is_error()) {
                co_await refuse_client_message(frame.error);
                co_return false;
            }
            if (!frame.is_frame()) {
                streamed = pool::streamed_client_message(client_in_.pending().subspan(complete), may_rewrite);
                break;
            }
            if (frame.type == 'X') {
                terminated_ = true;
                break;
            }
            if (!rewriting && may_rewrite && pool::StatementRewriter::wants(frame.type, frame.payload))
                start_rewriting();
            const auto fed = rewriting ? rewriter_.on_client(frame.type, frame.payload, statement_context(), to_server_)
                                       : rewriter_.on_plain_client(frame.type, frame.payload, tracker);
            if (!fed) {
                co_await fail(sqlstate::protocol_violation, "invalid message from client");
                co_return false;
            }
            complete += frame.consumed;
        }
        // A pipeline without Sync or Flush (psycopg's pipeline mode, libpq's): PostgreSQL sends
        // its replies only when its output buffer fills, and relay() reads the server only
        // while replies are due. Left so, a long pipeline fills every buffer between client,
        // pgfront and server, and all three wait on each other. A Flush after the batch makes
        // the replies due now; it has no reply of its own, so the client never sees it.
        const bool flush = complete > 0 && !terminated_ && tracker.outstanding_requests() > 0 &&
                           !tracker.replies_due() && !tracker.skipping_to_sync() && !tracker.awaiting_copy_data();
        if (flush) (void)rewriter_.on_plain_client(protocol::frontend::flush, {}, tracker);
        // While the server still owes replies it sends unprompted, they are read first (relay()
        // does): streaming now could fill the server's input while it waits for us to take
        // its output.
        if (streamed && tracker.replies_due() && !tracker.awaiting_copy_data()) streamed.reset();
        // A Bind's names may be rewritten, into the batch; the rest of it, and all of any other
        // message, passes unchanged and only its type matters to the tracker.
        const std::size_t head = streamed ? streamed->rewritten_head : 0;
        if (streamed) {
            if (head > 0 && !rewriting) start_rewriting();
            const auto fed =
                head > 0 ? rewriter_.on_client_bind_head(
                               client_in_.pending().subspan(complete + protocol::typed_header_size,
                                                            head - protocol::typed_header_size),
                               streamed->size - head, statement_context(), to_server_)
                         : rewriter_.on_plain_client(streamed->type, {}, tracker);
            if (!fed) {
                co_await fail(sqlstate::protocol_violation, "invalid message from client");
                co_return false;
            }
        }
        if (complete == 0 && !streamed) co_return true;
        stats_->bytes_received += complete + head;
        if (transaction_started_ == Clock::time_point{}) transaction_started_ = Clock::now();
        const auto batch = rewriting ? protocol::Bytes(to_server_) : client_in_.pending().first(complete);
        boost::system::error_code ec;
        static constexpr std::array<std::byte, 5> flush_message{std::byte{'H'}, {}, {}, {}, std::byte{4}};
        std::array<asio::const_buffer, 2> pieces{as_buffer(batch),
                                                 flush ? asio::buffer(flush_message) : asio::const_buffer()};
        if (!server_->socket().write_now(pieces, ec) && !ec)
            std::tie(ec, std::ignore) = co_await asio::async_write(server_->socket(), pieces, deferred_nothrow);
        client_in_.consume(complete + head);
        if (terminated_) client_in_.consume(client_in_.size());
        if (rewriting) release_large(to_server_);
        if (ec) {
            co_await fail(sqlstate::connection_failure, server_lost());
            co_return false;
        }
        // Answers pgfront owes with nothing outstanding ahead of them (e.g. ParseComplete for a
        // statement this server already has, when the client then waits with Flush).
        if (rewriting) {
            rewriter_.flush_answers(statement_context(), out_);
            if (!out_.empty() && !co_await send(out_)) co_return false;
        }
        if (!streamed) co_return true;
        if (!co_await stream_client_message(streamed->size - head, streamed->watch_release_words)) co_return false;
    }
}

// The rest of a message too large to hold (`size` bytes), to the server as it arrives; its
// first bytes are at the front of client_in_. A Query whose text is watched and turns out to
// mention DEALLOCATE or DISCARD leaves its server distrusted (closed after the lease).
asio::awaitable<bool> PooledSession::stream_client_message(std::size_t size, bool watch_release_words) {
    std::optional<pool::ReleaseWordWatch> words;
    if (watch_release_words) words.emplace(protocol::typed_header_size);  // the text follows the header
    mid_message_ = true;  // until the last byte: the server may have part of it
    for (std::size_t left = size;;) {
        const auto piece = client_in_.pending().first(std::min(left, client_in_.size()));
        if (!piece.empty()) {
            auto [ec, n] = co_await asio::async_write(server_->socket(), as_buffer(piece), deferred_nothrow);
            if (ec) {
                co_await fail(sqlstate::connection_failure, server_lost());
                co_return false;
            }
            if (words) words->feed(piece);
            stats_->bytes_received += n;
            client_in_.consume(n);
            left -= n;
        }
        if (left == 0) {
            if (words && words->seen()) rewriter_.distrust_server();
            mid_message_ = false;
            co_return true;
        }
        if (!co_await read_client(true)) co_return false;
    }
}

// Server replies go to the client in one write per batch, up to the transaction boundary. A
// reply too large to hold (pool/streamed_message.hpp) ends the batch and follows it in
// pieces as they arrive.
asio::awaitable<bool> PooledSession::forward_server_messages() {
    auto& input = server_->input();
    auto& tracker = server_->tracker();
    const bool statement_mode = mode_ == conf::PoolMode::statement;
    for (;;) {
        const bool editing = rewriter_.has_answers();
        std::size_t complete = 0;
        bool refused_transaction = false;
        std::optional<pool::StreamedMessage> streamed;
        for (;;) {
            const auto frame =
                protocol::read_frame(input.pending().subspan(complete), protocol::Sender::backend, max_packet_size_);
            if (frame.is_error()) {
                if (frame.error == protocol::message_over_limit)
                    co_await fail(sqlstate::program_limit_exceeded,
                                  "message from the server longer than pool.max_packet_size (" +
                                      conf::format_size(max_packet_size_) + ")");
                else
                    co_await fail(sqlstate::protocol_violation, "server sent an invalid message");
                co_return false;
            }
            if (!frame.is_frame()) {
                streamed = pool::streamed_server_message(input.pending().subspan(complete));
                break;
            }
            // Statement mode: a statement that leaves a transaction open is refused in place of
            // its ReadyForQuery, so the client reads the reason as the statement's answer.
            if (statement_mode && frame.type == 'Z' && !frame.payload.empty() && frame.payload[0] != std::byte{'I'}) {
                refused_transaction = true;
                (void)tracker.on_backend(frame.type, frame.payload);
                break;
            }
            if (frame.type == 'S') note_parameter_status(frame.payload);
            if (frame.type == 'Z') count_ready_for_query(frame.payload);
            if (frame.type == 'E' && !server_sent_fatal_) {
                const auto fields = protocol::ErrorFields::parse(frame.payload);
                server_sent_fatal_ = fields && fields->is_fatal();
            }
            const auto fed = editing ? rewriter_.on_server(frame.type, frame.payload,
                                                           input.pending().subspan(complete, frame.consumed),
                                                           statement_context(), out_)
                                     : rewriter_.on_plain_server(frame.type, frame.payload, tracker);
            if (!fed) {
                co_await fail(sqlstate::protocol_violation, "server reply out of order");
                co_return false;
            }
            complete += frame.consumed;
            if (tracker.at_boundary()) break;  // anything after belongs to nobody yet
        }
        if (streamed) {
            // Only its type matters; given no bytes, the rewriter adds none of its own after it.
            const auto fed = editing ? rewriter_.on_server(streamed->type, {}, {}, statement_context(), out_)
                                     : rewriter_.on_plain_server(streamed->type, {}, tracker);
            if (!fed) {
                co_await fail(sqlstate::protocol_violation, "server reply out of order");
                co_return false;
            }
        }
        if (complete > 0 || !out_.empty()) {
            const auto batch = editing ? protocol::Bytes(out_) : input.pending().first(complete);
            boost::system::error_code ec;
            std::array<asio::const_buffer, 1> pieces{as_buffer(batch)};
            if (!client_.write_now(pieces, ec) && !ec)
                std::tie(ec, std::ignore) = co_await asio::async_write(client_, pieces, deferred_nothrow);
            stats_->bytes_sent += batch.size();
            input.consume(complete);
            if (editing) {
                out_.clear();
                release_large(out_);
            }
            if (ec) co_return false;
        }
        if (refused_transaction) {
            co_await fail(sqlstate::feature_not_supported, "transaction blocks not allowed in statement pooling mode");
            co_return false;
        }
        if (!streamed) co_return true;
        if (!co_await stream_server_message(streamed->size)) co_return false;
    }
}

// The rest of a reply too large to hold, to the client as it arrives; its first bytes are at
// the front of the server's input. A server lost halfway ends the session without an
// ErrorResponse: the client would read it as the rest of the row.
asio::awaitable<bool> PooledSession::stream_server_message(std::size_t size) {
    auto& input = server_->input();
    mid_message_ = true;
    for (std::size_t left = size;;) {
        const auto piece = input.pending().first(std::min(left, input.size()));
        if (!piece.empty()) {
            auto [ec, n] = co_await asio::async_write(client_, as_buffer(piece), deferred_nothrow);
            if (ec) co_return false;
            stats_->bytes_sent += n;
            input.consume(n);
            left -= n;
        }
        if (left == 0) {
            mid_message_ = false;
            co_return true;
        }
        auto area = input.write_area(stream_read_size);
        auto [ec, n] =
            co_await server_->socket().async_read_some(asio::buffer(area.data(), area.size()), deferred_nothrow);
        if (ec) {
            spdlog::warn("closing client id={} halfway through a message: {}", id_, server_lost());
            if (close_reason_.empty()) close_reason_ = server_lost();
            co_return false;
        }
        input.commit(n);
    }
}

asio::awaitable<void> PooledSession::relay() {
    for (;;) {
        if (!server_) {
            // Between transactions: no server until the client sends something.
            for (;;) {
                const auto frame = client_in_.next(protocol::Sender::frontend, max_packet_size_);
                if (frame.is_error()) {
                    co_await refuse_client_message(frame.error);
                    co_return;
                }
                if (frame.is_frame()) {
                    if (frame.type == 'X') co_return;
                    // What PostgreSQL refuses outright (a type it does not know, a login's
                    // PasswordMessage) is refused here, without waiting for a server first.
                    if (!protocol::is_valid_type(protocol::Sender::frontend, frame.type, protocol::ProtocolPhase::normal)) {
                        co_await fail(sqlstate::protocol_violation,
                                      "invalid frontend message type " + std::to_string(static_cast<unsigned char>(frame.type)));
                        co_return;
                    }
                    break;
                }
                if (pool::streamed_client_message(client_in_.pending(), rewrites_statements())) break;
                if (!co_await read_client()) co_return;
            }
            if (worker_.pause_gate().holds(database_) && !co_await wait_while_paused()) co_return;
            if (!co_await acquire_server()) co_return;
        }
        if (!co_await forward_client_messages()) co_return;
        if (terminated_) co_return;
        auto& tracker = server_->tracker();
        if (lease_may_end()) {  // never in session mode: no reset query to run
            give_back_server(server_reusable());
            continue;
        }
        // Whose turn it is follows from the protocol: the server's while it owes replies it
        // will send unprompted (unless it waits for COPY data), the client's otherwise, also
        // when requests are outstanding but the rest of the client's batch (a Bind of many
        // megabytes, its Sync) is still on its way. Reading one side at a time keeps the
        // loop free of cancelled waits; only a session-mode server between transactions,
        // which may speak first, is read together with its client.
        if (tracker.replies_due() && !tracker.awaiting_copy_data()) {
            if (!co_await read_server()) co_return;
        } else if (server_may_speak_first()) {
            if (!co_await read_client_while_server_may_speak()) co_return;
        } else {
            if (!co_await read_client()) co_return;
        }
    }
}

}  // namespace pgfront::proxy
