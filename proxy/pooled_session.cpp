// Pooled client session (see pooled_session.hpp). Reads top to bottom: startup,
// authentication, welcome, then a relay loop that leases a server per session, transaction
// or statement and gives it back at the boundary the pipeline tracker reports.
#include "proxy/pooled_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <cstring>

#include "auth/access_policy.hpp"
#include "auth/client_method.hpp"
#include "auth/hba_rules.hpp"
#include "auth/md5_password.hpp"
#include "auth/random_source.hpp"
#include "auth/scram_server_exchange.hpp"
#include "auth/user_list.hpp"
#include "pool/effective_settings.hpp"
#include "protocol/authentication.hpp"
#include "protocol/error_fields.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/sqlstate.hpp"
#include "protocol/startup_messages.hpp"
#include "proxy/cancel_directory.hpp"
#include "proxy/cancel_forwarding.hpp"
#include "proxy/client_access.hpp"
#include "proxy/idle_sweeper.hpp"
#include "proxy/pool_registry.hpp"
#include "proxy/route_choice.hpp"
#include "proxy/session_lifetime.hpp"
#include "proxy/worker.hpp"

namespace pgfront::proxy {
namespace asio = boost::asio;
using asio::ip::tcp;
namespace sqlstate = protocol::sqlstate;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_auth_message = 10000;
constexpr std::size_t max_message = std::size_t{1} << 30;

std::string text_of(protocol::Bytes bytes) { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
protocol::Bytes bytes_of(std::string_view text) { return {reinterpret_cast<const std::byte*>(text.data()), text.size()}; }
asio::const_buffer as_buffer(protocol::Bytes bytes) { return {bytes.data(), bytes.size()}; }
}  // namespace

PooledSession::PooledSession(Worker& worker, tcp::socket client, ListenerRole role)
    : worker_(worker),
      client_(std::move(client)),
      login_timer_(std::make_unique<asio::steady_timer>(worker.context())),
      role_(role),
      id_(worker.services().next_session_id.fetch_add(1, std::memory_order_relaxed)),
      peer_(describe_peer(client_)) {
    boost::system::error_code ec;
    client_.set_option(tcp::no_delay(true), ec);
    if (worker.config().listen.tcp_keepalive) client_.set_option(asio::socket_base::keep_alive(true), ec);
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
        worker.services().cancels.remove({static_cast<std::uint32_t>(self->id_), self->cancel_secret_});
    spdlog::debug("session closed id={} client={} user={} db={} reason={}", self->id_, self->peer_, self->user_,
                  self->database_, self->close_reason_.empty() ? "client left" : self->close_reason_);
}

void PooledSession::close(std::string reason) {
    if (close_reason_.empty()) close_reason_ = std::move(reason);
    boost::system::error_code ignored;
    client_.close(ignored);
    if (server_) server_->close();
}

asio::awaitable<bool> PooledSession::send(protocol::ByteBuffer& bytes) {
    auto [ec, n] = co_await asio::async_write(client_, asio::buffer(bytes), nothrow);
    bytes.clear();
    co_return !ec;
}

asio::awaitable<void> PooledSession::fail(std::string_view state, std::string message) {
    spdlog::info("client refused id={} client={} user={} db={} sqlstate={} message=\"{}\"", id_, peer_, user_,
                 database_, state, message);
    protocol::ByteBuffer bytes;
    protocol::write_error_response(bytes, {protocol::Severity::fatal, state, message});
    co_await send(bytes);
    if (close_reason_.empty()) close_reason_ = message;
}

asio::awaitable<void> PooledSession::serve() {
    login_timer_->expires_after(worker_.config().listen.client_login_timeout);
    login_timer_->async_wait([this](boost::system::error_code ec) {
        if (!ec) close("login timeout");
    });
    if (!co_await read_startup()) co_return;
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
    if (!server_) return ClientWait::idle;
    const auto& tracker = server_->tracker();
    if (tracker.outstanding_requests() > 0) return ClientWait::busy;
    return tracker.in_transaction() ? ClientWait::idle_in_transaction : ClientWait::idle;
}

// Startup packets until a StartupMessage: SSL and GSS encryption are declined for now (the
// client continues in plain text), cancel requests are forwarded.
asio::awaitable<bool> PooledSession::read_startup() {
    for (;;) {
        protocol::FrameResult frame;
        for (;;) {
            frame = protocol::read_startup_frame(client_in_.pending());
            if (!frame.is_need_more()) break;
            if (!co_await read_client()) co_return false;
        }
        if (frame.is_error()) {
            co_await fail(sqlstate::protocol_violation, "invalid startup packet: " + std::string(frame.error));
            co_return false;
        }
        const auto kind = protocol::classify_startup(frame.code);
        if (kind == protocol::StartupKind::ssl_request || kind == protocol::StartupKind::gssenc_request) {
            client_in_.consume(frame.consumed);
            protocol::write_ssl_response(out_, false);
            if (!co_await send(out_)) co_return false;
            continue;
        }
        if (kind == protocol::StartupKind::cancel_request) {
            const auto request = protocol::CancelRequest::parse(frame.payload);
            if (request && request->secret_key_u32())
                co_await forward_pooled_cancel(worker_, {static_cast<std::uint32_t>(request->process_id),
                                                         *request->secret_key_u32()});
            co_return false;
        }
        const auto startup = protocol::StartupMessage::parse(frame.payload);
        if (kind != protocol::StartupKind::startup_message || !startup || startup->major() != 3) {
            co_await fail(sqlstate::protocol_violation, "unsupported frontend protocol");
            co_return false;
        }
        user_ = std::string(startup->user().value_or(""));
        database_ = std::string(startup->database().value_or(user_));
        if (startup->minor() > 0) {
            protocol::write_negotiate_protocol_version(out_, *startup, 0);
            if (!co_await send(out_)) co_return false;
        }
        client_in_.consume(frame.consumed);
        if (user_.empty()) {
            co_await fail(sqlstate::invalid_authorization_specification, "no PostgreSQL user name specified in startup packet");
            co_return false;
        }
        if (static_cast<int>(worker_.session_count()) > worker_.config().pool.max_client_conn) {
            co_await fail(sqlstate::too_many_connections, "no more connections allowed (max_client_conn)");
            co_return false;
        }
        co_return true;
    }
}

asio::awaitable<std::optional<protocol::ByteBuffer>> PooledSession::read_auth_message() {
    for (;;) {
        const auto frame = client_in_.next(protocol::Sender::frontend, max_auth_message);
        if (frame.is_error() || (frame.is_frame() && frame.type != 'p')) {
            co_await fail(sqlstate::protocol_violation, "expected a password message");
            co_return std::nullopt;
        }
        if (frame.is_frame()) {
            protocol::ByteBuffer payload(frame.payload.begin(), frame.payload.end());
            client_in_.consume(frame.consumed);
            co_return payload;
        }
        if (!co_await read_client()) co_return std::nullopt;
    }
}

// Authenticates the client against the auth file, as PostgreSQL would: an unknown user
// goes through the same exchange and fails the same way (no user enumeration).
asio::awaitable<bool> PooledSession::authenticate() {
    // The allow list first, as PostgreSQL does: a refused client costs no password lookup.
    // TLS is not known here yet: hostssl rules never match, hostnossl rules always do.
    const auth::ConnectionFacts facts{false, database_, user_, client_address(client_)};
    const auto access = auth::decide_access(worker_.access_policy(), facts);
    if (access.verdict != auth::AccessVerdict::allowed) {
        auto message = auth::access_refusal_message(access.verdict, facts);
        co_await fail(sqlstate::invalid_authorization_specification, std::move(message));
        co_return false;
    }
    auto lookup = co_await worker_.auth_lookup().find(user_, database_);
    if (lookup.error) spdlog::error("password lookup for user {} failed: {}", user_, *lookup.error);
    const auto* entry = lookup.password ? &*lookup.password : nullptr;
    if (entry && entry->kind != auth::PasswordKind::scram_sha_256) stored_password_ = entry->text;
    const auto refused = [&]() -> asio::awaitable<bool> {
        worker_.stats().auth_failures.fetch_add(1, std::memory_order_relaxed);
        co_await fail(sqlstate::invalid_password, "password authentication failed for user \"" + user_ + "\"");
        co_return false;
    };

    if (access.method == auth::HbaMethod::trust) co_return true;

    const auto choice = auth::choose_client_method(
        access.method, entry ? std::optional<auth::PasswordKind>(entry->kind) : std::nullopt);
    auth::SystemRandom random;

    if (choice.method == auth::ClientMethod::cleartext_password) {
        protocol::write_authentication_cleartext_password(out_);
        if (!co_await send(out_)) co_return false;
        auto payload = co_await read_auth_message();
        if (!payload) co_return false;
        const auto message = protocol::PasswordMessage::parse(*payload);
        const bool ok = !choice.doomed && message && entry &&
                        auth::verify_cleartext_password(*entry, user_, message->password);
        if (!ok) co_return co_await refused();
        // The verified password logs in to the server too, whatever the server asks for.
        stored_password_ = std::string(message->password);
        co_return true;
    }

    if (choice.method == auth::ClientMethod::md5 && !choice.doomed) {
        auth::Md5Salt salt;
        random.fill(salt);
        protocol::write_authentication_md5_password(
            out_, std::span<const std::byte, 4>(reinterpret_cast<const std::byte*>(salt.data()), 4));
        if (!co_await send(out_)) co_return false;
        auto payload = co_await read_auth_message();
        if (!payload) co_return false;
        const auto message = protocol::PasswordMessage::parse(*payload);
        const bool ok = message && entry &&
                        (entry->kind == auth::PasswordKind::md5
                             ? auth::md5_verify_response(message->password, entry->text, salt)
                             : auth::md5_verify_response_with_password(message->password, entry->text,
                                                                        user_, salt));
        if (!ok) co_return co_await refused();
        co_return true;
    }

    // SCRAM-SHA-256, real or doomed (unknown user, or only an md5 hash stored).
    std::optional<auth::ScramServerExchange> exchange;
    if (!choice.doomed && entry && entry->kind == auth::PasswordKind::scram_sha_256)
        exchange.emplace(*entry->scram, auth::make_scram_nonce(random));
    else if (!choice.doomed && entry && entry->kind == auth::PasswordKind::plain)
        exchange.emplace(auth::ScramServerExchange::from_password(entry->text, random));
    else
        exchange.emplace(auth::ScramServerExchange::mock(user_, worker_.mock_key(), auth::make_scram_nonce(random)));
    protocol::write_authentication_sasl(out_, {std::string_view("SCRAM-SHA-256")});
    if (!co_await send(out_)) co_return false;

    auto initial = co_await read_auth_message();
    if (!initial) co_return false;
    const auto first = protocol::SaslInitialResponse::parse(*initial);
    if (!first || first->mechanism != "SCRAM-SHA-256" || !first->initial_response) {
        co_await fail(sqlstate::protocol_violation, "client selected an invalid SASL authentication mechanism");
        co_return false;
    }
    auto server_first = exchange->step(text_of(*first->initial_response));
    if (!server_first) {
        co_await fail(auth::sqlstate(server_first.error().code), "SCRAM authentication failed");
        co_return false;
    }
    protocol::write_authentication_sasl_continue(out_, bytes_of(server_first.value()));
    if (!co_await send(out_)) co_return false;

    auto response = co_await read_auth_message();
    if (!response) co_return false;
    auto server_final = exchange->step(text_of(*response));
    if (!server_final) {
        if (server_final.error().code == auth::ScramErrc::invalid_proof) co_return co_await refused();
        co_await fail(auth::sqlstate(server_final.error().code), "SCRAM authentication failed");
        co_return false;
    }
    // Keys recovered from a stored SCRAM secret log us in to PostgreSQL as this user; with a
    // plaintext entry the password itself does (our exchange used a salt of our own).
    if (entry && entry->kind == auth::PasswordKind::scram_sha_256) scram_keys_ = exchange->client_keys();
    protocol::write_authentication_sasl_final(out_, bytes_of(server_final.value()));
    co_return co_await send(out_);
}

pool::ServerLogin PooledSession::server_login() const {
    pool::ServerLogin login;
    login.user = user_;
    login.database = database_;
    login.password = stored_password_;
    login.scram_keys = scram_keys_;
    return login;
}

// AuthenticationOk and the server's parameters. The first client of a pool waits for one
// server login here, which also proves the database and credentials work.
asio::awaitable<bool> PooledSession::welcome() {
    if (!co_await acquire_server()) co_return false;
    const auto parameters = server_->parameters();
    if (mode_ != conf::PoolMode::session) co_await release_server();

    protocol::write_authentication_ok(out_);
    for (const auto& [name, value] : parameters) protocol::write_parameter_status(out_, name, value);
    auth::SystemRandom random;
    while (cancel_secret_ == 0)
        random.fill(std::span(reinterpret_cast<std::uint8_t*>(&cancel_secret_), sizeof cancel_secret_));
    worker_.services().cancels.add({static_cast<std::uint32_t>(id_), cancel_secret_}, CancelTarget{});
    protocol::write_backend_key_data(out_, static_cast<std::int32_t>(id_ & 0x7fffffff), cancel_secret_);
    protocol::write_ready_for_query(out_, protocol::TransactionStatus::idle);
    const bool sent = co_await send(out_);
    protocol::ByteBuffer().swap(out_);  // the login's buffer is not needed while the client idles
    co_return sent;
}

asio::awaitable<bool> PooledSession::acquire_server() {
    const auto& config = worker_.config();
    const auto deadline = Worker::Clock::now() + config.listen.connect_wait;
    const RoutePolicy policy{config.listen.replica_fallback_to_primary};
    auto sessions_on = [this](std::string_view node) { return worker_.sessions().sessions_on(node); };
    for (;;) {
        const auto topology = worker_.topology();
        const auto* node = topology ? choose_node(*topology, role_, policy, sessions_on, worker_.next_rotation())
                                    : nullptr;
        if (!node) {
            if (Worker::Clock::now() >= deadline || !client_.is_open()) {
                worker_.stats().no_node_errors.fetch_add(1, std::memory_order_relaxed);
                co_await fail(sqlstate::cannot_connect_now,
                              std::string("no ") + (role_ == ListenerRole::primary ? "primary" : "replica") +
                                  " is available in cluster '" + config.cluster.name + "'");
                co_return false;
            }
            co_await worker_.topology_change(deadline);
            continue;
        }
        auto& pool = worker_.pools().get(PoolKey{role_, node->name, database_, user_},
                                         conf::Endpoint{node->host, node->port}, config, server_login());
        auto lease = co_await pool.acquire();
        if (lease.failure) {
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
        server_pool_ = &pool;
        node_ = server_->node();
        worker_.sessions().bind(node_);
        if (cancel_secret_ != 0)
            worker_.services().cancels.add({static_cast<std::uint32_t>(id_), cancel_secret_},
                                           CancelTarget{server_->endpoint(), server_->backend_pid(),
                                                        server_->backend_secret()});
        co_return true;
    }
}

// Session mode: the server is reset before the next client gets it.
asio::awaitable<bool> PooledSession::reset_server() {
    const auto& query = worker_.config().pool.server_reset_query;
    if (query.empty()) co_return true;
    protocol::ByteBuffer bytes;
    protocol::write_query(bytes, query);
    auto& tracker = server_->tracker();
    tracker.on_frontend('Q', protocol::Bytes(bytes).subspan(5));
    auto [ec, n] = co_await asio::async_write(server_->socket(), asio::buffer(bytes), nothrow);
    if (ec) co_return false;
    auto& input = server_->input();
    while (!tracker.at_boundary()) {
        const auto frame = input.next(protocol::Sender::backend, max_message);
        if (frame.is_error()) co_return false;
        if (frame.is_frame()) {
            if (!tracker.on_backend(frame.type, frame.payload)) co_return false;
            input.consume(frame.consumed);
            continue;
        }
        auto area = input.write_area();
        auto [rec, rn] = co_await server_->socket().async_read_some(asio::buffer(area.data(), area.size()), nothrow);
        if (rec) co_return false;
        input.commit(rn);
    }
    co_return tracker.reusable() && !tracker.in_transaction();
}

asio::awaitable<void> PooledSession::release_server() {
    auto& tracker = server_->tracker();
    bool reusable = tracker.at_boundary() && !tracker.in_transaction() && tracker.reusable() &&
                    server_->input().empty() && server_->socket().is_open();
    if (reusable && mode_ == conf::PoolMode::session) reusable = co_await reset_server();
    worker_.sessions().unbind(node_);
    if (cancel_secret_ != 0) worker_.services().cancels.add({static_cast<std::uint32_t>(id_), cancel_secret_}, CancelTarget{});
    node_.clear();
    auto* pool = server_pool_;
    server_pool_ = nullptr;
    pool->release(std::move(server_), reusable);
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
// message is given back first): an idle client holds a few hundred bytes, not a big buffer,
// and a typical request still arrives in one read. How long the client has been waited for
// is noted for the idle timeouts (idle_sweeper.hpp); a read the sweeper ended gets the
// timeout's error.
asio::awaitable<bool> PooledSession::read_client() {
    wait_ = current_wait();
    wait_since_ = Clock::now();
    const bool fresh = client_in_.empty();
    if (fresh) client_in_.release(idle_read_size);
    auto area = client_in_.write_area(fresh ? idle_read_size : 4096);
    // deferred: awaited as an operation, without the extra coroutine frame use_awaitable makes.
    auto [ec, n] = co_await client_.async_read_some(asio::buffer(area.data(), area.size()),
                                                    asio::as_tuple(asio::deferred));
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

asio::awaitable<bool> PooledSession::read_server() {
    auto& input = server_->input();
    auto area = input.write_area();
    auto [ec, n] = co_await server_->socket().async_read_some(asio::buffer(area.data(), area.size()), nothrow);
    if (ec) {
        if (client_.is_open())
            co_await fail(sqlstate::connection_failure, "server connection to " + node_ + " was lost");
        co_return false;
    }
    input.commit(n);
    co_return co_await forward_server_messages();
}

// Whole client messages go to the server as they are, in one write; the tracker learns what
// replies each one will bring. Terminate ends the session instead.
asio::awaitable<bool> PooledSession::forward_client_messages() {
    auto& tracker = server_->tracker();
    std::size_t complete = 0;
    for (;;) {
        const auto frame = protocol::read_frame(client_in_.pending().subspan(complete), protocol::Sender::frontend,
                                                max_message);
        if (frame.is_error()) {
            co_await fail(sqlstate::protocol_violation, "invalid message from client: " + std::string(frame.error));
            co_return false;
        }
        if (!frame.is_frame()) break;
        if (frame.type == 'X') {
            terminated_ = true;
            break;
        }
        if (!tracker.on_frontend(frame.type, frame.payload)) {
            co_await fail(sqlstate::protocol_violation, "invalid message from client");
            co_return false;
        }
        complete += frame.consumed;
    }
    if (complete == 0) co_return true;
    auto [ec, n] = co_await asio::async_write(server_->socket(), as_buffer(client_in_.pending().first(complete)),
                                              nothrow);
    client_in_.consume(complete);
    if (terminated_) client_in_.consume(client_in_.size());
    if (ec) {
        co_await fail(sqlstate::connection_failure, "server connection to " + node_ + " was lost");
        co_return false;
    }
    co_return true;
}

asio::awaitable<bool> PooledSession::forward_server_messages() {
    auto& input = server_->input();
    auto& tracker = server_->tracker();
    std::size_t complete = 0;
    bool refused_transaction = false;
    for (;;) {
        const auto frame = protocol::read_frame(input.pending().subspan(complete), protocol::Sender::backend, max_message);
        if (frame.is_error()) {
            co_await fail(sqlstate::protocol_violation, "server sent an invalid message");
            co_return false;
        }
        if (!frame.is_frame()) break;
        if (!tracker.on_backend(frame.type, frame.payload)) {
            co_await fail(sqlstate::protocol_violation, "server reply out of order");
            co_return false;
        }
        // Statement mode: a statement that leaves a transaction open is refused in place of
        // its ReadyForQuery, so the client reads the reason as the statement's answer.
        if (frame.type == 'Z' && mode_ == conf::PoolMode::statement && tracker.in_transaction()) {
            refused_transaction = true;
            break;
        }
        complete += frame.consumed;
        if (tracker.at_boundary()) break;  // anything after belongs to nobody yet
    }
    if (complete > 0) {
        auto [ec, n] = co_await asio::async_write(client_, as_buffer(input.pending().first(complete)), nothrow);
        input.consume(complete);
        if (ec) co_return false;
    }
    if (refused_transaction) {
        co_await fail(sqlstate::feature_not_supported, "transaction blocks not allowed in statement pooling mode");
        co_return false;
    }
    co_return true;
}

asio::awaitable<void> PooledSession::relay() {
    for (;;) {
        if (!server_) {
            // Between transactions: no server until the client sends something.
            for (;;) {
                const auto frame = client_in_.next(protocol::Sender::frontend, max_message);
                if (frame.is_error()) {
                    co_await fail(sqlstate::protocol_violation, "invalid message from client: " + std::string(frame.error));
                    co_return;
                }
                if (frame.is_frame()) {
                    if (frame.type == 'X') co_return;
                    break;
                }
                if (!co_await read_client()) co_return;
            }
            if (!co_await acquire_server()) co_return;
        }
        if (!co_await forward_client_messages()) co_return;
        if (terminated_) co_return;
        auto& tracker = server_->tracker();
        if (lease_may_end()) {
            co_await release_server();
            continue;
        }
        // Whose turn it is follows from the protocol: the server's while it owes replies
        // (unless it waits for COPY data), the client's otherwise. Reading one side at a
        // time keeps the loop free of cancelled waits.
        if (tracker.outstanding_requests() > 0 && !tracker.awaiting_copy_data()) {
            if (!co_await read_server()) co_return;
        } else {
            if (!co_await read_client()) co_return;
        }
    }
}

}  // namespace pgfront::proxy
