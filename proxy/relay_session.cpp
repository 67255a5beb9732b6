// Pass-through session (see relay_session.hpp). The relay itself does no per-byte work:
// after the startup replies it only moves buffers between the two sockets.
#include "proxy/relay_session.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>
#include <tuple>

#include "net/completion_tokens.hpp"
#include "net/name_lookup.hpp"
#include "protocol/backend_status.hpp"
#include "protocol/bytes.hpp"
#include "protocol/wire_reader.hpp"
#include "protocol/error_fields.hpp"
#include "protocol/frame_reader.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/sqlstate.hpp"
#include "protocol/startup_messages.hpp"
#include "proxy/cancel_forwarding.hpp"
#include "proxy/client_tls.hpp"
#include "proxy/route_choice.hpp"
#include "proxy/session_lifetime.hpp"
#include "proxy/worker.hpp"
#include "tls/channel_binding.hpp"
#include "tls/server_tls_negotiation.hpp"

namespace pgfront::proxy {
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
namespace sqlstate = protocol::sqlstate;

namespace {
using net::nothrow;
using net::deferred_nothrow;
constexpr std::size_t relay_buffer_size = 16 * 1024;
// Server replies before ReadyForQuery are small; anything larger is not a PostgreSQL server.
constexpr std::size_t max_startup_reply = 1024 * 1024;
// Between attempts on a node that refused a connection before authentication.
constexpr auto retry_pause = std::chrono::milliseconds(100);

void set_stream_options(tcp::socket& socket, bool keepalive) {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (keepalive) socket.set_option(asio::socket_base::keep_alive(true), ignored);
}
}  // namespace

RelaySession::RelaySession(Worker& worker, tcp::socket client, ListenerRole role)
    : worker_(worker),
      client_(std::move(client)),
      server_(worker.context().get_executor()),
      tls_(worker.tls()),
      login_timer_(worker.context().get_executor()),
      role_(role),
      id_(worker.services().next_session_id.fetch_add(1, std::memory_order_relaxed)),
      peer_(describe_peer(client_.lowest_layer())) {}

RelaySession::~RelaySession() = default;

asio::awaitable<void> RelaySession::run(std::shared_ptr<RelaySession> self) {
    auto& worker = self->worker_;
    const SessionLifetime lifetime(worker, *self);
    set_stream_options(self->client_.lowest_layer(), worker.config().listen.tcp_keepalive);

    co_await self->serve();

    self->login_timer_.cancel();
    self->close_both();
    if (self->cancel_key_) worker.services().cancels.remove(*self->cancel_key_);
    if (!self->node_.empty()) worker.sessions().unbind(self->node_);
    spdlog::debug("session closed id={} client={} role={} node={} reason={}", self->id_, self->peer_,
                  to_string(self->role_), self->node_.empty() ? "-" : self->node_,
                  self->close_reason_.empty() ? "client or server ended" : self->close_reason_);
}

void RelaySession::close(std::string reason) {
    if (close_reason_.empty()) close_reason_ = std::move(reason);
    close_both();
    if (pause_timer_) pause_timer_->expires_at(std::chrono::steady_clock::time_point::min());
}

ClientView RelaySession::view(std::chrono::steady_clock::time_point now) const {
    ClientView v;
    v.id = id_;
    v.role = role_;
    v.address = peer_;
    v.database = database_;
    v.user = user_;
    v.application_name = application_name_;
    const bool relaying = relaying_since_ != std::chrono::steady_clock::time_point{};
    v.state = paused_ ? ClientState::paused : relaying ? ClientState::active : ClientState::login;
    v.node = node_;
    v.connected_seconds = std::chrono::duration<double>(now - connected_at_).count();
    v.state_seconds = std::chrono::duration<double>(now - (relaying ? relaying_since_ : connected_at_)).count();
    v.tls = client_.encrypted();
    if (cancel_key_) v.server_id = cancel_key_->process_id;
    return v;
}

std::optional<ServerView> RelaySession::server_view(std::chrono::steady_clock::time_point now) const {
    if (node_.empty()) return std::nullopt;
    ServerView v;
    v.id = cancel_key_ ? cancel_key_->process_id : 0;
    v.role = role_;
    v.node = node_;
    v.address = server_endpoint_.to_string();
    v.database = database_;
    v.user = user_;
    v.active = true;
    v.client_id = id_;
    v.connected_seconds = std::chrono::duration<double>(now - connected_at_).count();
    v.tls = server_.encrypted();
    return v;
}

void RelaySession::note_startup(const StartupPacket& packet) {
    const auto startup = protocol::StartupMessage::parse(protocol::Bytes(packet.bytes).subspan(4));
    if (!startup) return;
    user_ = std::string(startup->user().value_or(""));
    database_ = std::string(startup->database().value_or(user_));
    application_name_ = std::string(startup->find("application_name").value_or(""));
}

// PAUSE in mode none holds new sessions before they reach a server, as long as
// query_wait_timeout allows (0: no limit).
asio::awaitable<bool> RelaySession::wait_while_paused() {
    const auto wait_limit = worker_.config().pool.query_wait_timeout;
    paused_ = true;
    pause_timer_ = std::make_unique<asio::steady_timer>(worker_.context());
    if (wait_limit.count() > 0) pause_timer_->expires_after(wait_limit);
    else pause_timer_->expires_at(std::chrono::steady_clock::time_point::max());
    const bool resumed = co_await worker_.pause_gate().wait(*pause_timer_, database_);
    pause_timer_.reset();
    paused_ = false;
    if (resumed) co_return true;
    if (client_.is_open())
        co_await refuse(sqlstate::query_canceled, "query_wait_timeout: pgfront is paused (PAUSE) and was not resumed in time");
    co_return false;
}

void RelaySession::close_both() {
    boost::system::error_code ignored;
    client_.close(ignored);
    server_.close(ignored);
}

void RelaySession::arm_login_timeout() {
    // Fires only if startup has not finished; cancel() on completion disarms it.
    login_timer_.arm(worker_.config().listen.client_login_timeout, [this] { close("login timeout"); });
}

asio::awaitable<void> RelaySession::serve() {
    arm_login_timeout();
    auto first = co_await read_startup_packet();
    if (!first) co_return;

    if (first->code == protocol::cancel_request_code) {
        login_timer_.cancel();
        co_await forward_cancel(*first);
        co_return;
    }
    // We do not relay GSS encryption; 'N' makes the client continue in plain or SSL.
    while (first->code == protocol::gssenc_request_code) {
        auto [ec, n] = co_await asio::async_write(client_, asio::buffer("N", 1), nothrow);
        if (ec) co_return;
        first = co_await read_startup_packet();
        if (!first) co_return;
    }
    // pgfront answers SSLRequest itself unless no TLS is configured (client_tls.hpp).
    if (first->code == protocol::ssl_request_code) {
        const ClientTlsContext context{tls_.get(), true, id_, peer_};
        const auto outcome = co_await answer_client_ssl_request(client_, context, false);
        if (outcome == SslRequestOutcome::failed) co_return;
        if (outcome != SslRequestOutcome::forward) {
            if (!(first = co_await read_startup_packet())) co_return;
            if (first->code == protocol::cancel_request_code) {  // newer libpq cancels inside TLS
                login_timer_.cancel();
                co_await forward_cancel(*first);
                co_return;
            }
            if (first->code == protocol::ssl_request_code || first->code == protocol::gssenc_request_code) {
                co_await refuse(sqlstate::protocol_violation, "unexpected encryption request");
                co_return;
            }
        }
    }

    const bool ssl_requested = first->code == protocol::ssl_request_code;
    std::optional<StartupPacket> startup;
    if (!ssl_requested) {
        if (!co_await client_tls_allows(*first)) co_return;
        note_startup(*first);
        startup = std::move(first);
    }
    if (worker_.pause_gate().holds(database_)) {
        login_timer_.cancel();  // our delay, not the client's
        if (!co_await wait_while_paused()) co_return;
        arm_login_timeout();
    }
    const auto deadline = Worker::Clock::now() + worker_.config().listen.connect_wait;
    bool encrypted = false;
    for (;;) {
        // Waiting for an eligible node is our delay, not the client's: the login clock stops
        // here and restarts for the authentication exchange with the server.
        login_timer_.cancel();
        const bool connected = co_await connect_to_eligible_node(deadline);
        arm_login_timeout();
        if (!connected) {
            if (ssl_requested && !startup) {
                auto [ec, n] = co_await asio::async_write(client_, asio::buffer("N", 1), nothrow);
                if (ec) co_return;
                if (!(startup = co_await read_startup_packet())) co_return;
            }
            worker_.stats().no_node_errors.fetch_add(1, std::memory_order_relaxed);
            co_await refuse(sqlstate::cannot_connect_now,
                            role_ == ListenerRole::primary
                                ? "no primary is available in cluster '" + worker_.config().cluster.name + "'"
                                : "no replica is available in cluster '" + worker_.config().cluster.name + "'");
            co_return;
        }
        if (ssl_requested) {
            const auto answer = co_await ask_server_for_ssl();
            if (!answer) co_return;
            if (!startup) {
                // First server: its answer is the client's.
                auto [ec, n] = co_await asio::async_write(client_, asio::buffer(&*answer, 1), nothrow);
                if (ec) co_return;
                if (*answer == 'S') {
                    // From here on the stream is TLS between client and server: nothing to watch.
                    encrypted = true;
                    login_timer_.cancel();
                    break;
                }
                if (!(startup = co_await read_startup_packet())) co_return;
            } else if (*answer != 'N') {
                co_return;  // a retried server must agree with the plain stream the client has
            }
        }
        // The server leg is pgfront's to secure unless the client's TLS runs end to end.
        auto reply = FirstReply::usable;
        if (!ssl_requested) reply = co_await secure_server();
        if (reply == FirstReply::usable) {
            auto [ec, n] = co_await asio::async_write(server_, asio::buffer(startup->bytes), nothrow);
            if (ec) co_return;
            reply = co_await read_first_server_reply();
        }
        if (reply == FirstReply::failed) co_return;
        if (reply == FirstReply::usable) break;
        // The server refused before authentication (shutting down, starting up): the client
        // has sent nothing but its startup packet, so it can be replayed on the next node.
        if (Worker::Clock::now() >= deadline) {
            co_await refuse(sqlstate::cannot_connect_now,
                            "node " + node_ + " is not accepting connections and no other node took over in time");
            co_return;
        }
        spdlog::info("node refused the client before authentication; retrying node={} id={} db={} user={}", node_, id_, database_, user_);
        release_server();
        co_await worker_.topology_change(std::min(deadline, Worker::Clock::now() + retry_pause));
    }

    relaying_since_ = std::chrono::steady_clock::now();
    stats_ = &worker_.pools().stats(PoolKey{role_, node_, database_, user_});
    upstream_buffer_ = std::make_unique<std::byte[]>(relay_buffer_size);
    downstream_buffer_ = std::make_unique<std::byte[]>(relay_buffer_size);
    // Each side is read right after it was sent what it answers (a request, or its reply), so
    // a read that emptied the socket waits for readiness next (net/draining_buffer.hpp).
    client_.set_draining_reads(net::Draining::any_short_read);
    server_.set_draining_reads(net::Draining::reply_end);
    co_await (relay_client_to_server() && relay_server_to_client(!encrypted));
}

asio::awaitable<std::optional<char>> RelaySession::ask_server_for_ssl() {
    protocol::ByteBuffer request;
    protocol::write_ssl_request(request);
    auto [ec, n] = co_await asio::async_write(server_, asio::buffer(request), nothrow);
    if (ec) co_return std::nullopt;
    char answer = 0;
    auto [rec, rn] = co_await asio::async_read(server_, asio::buffer(&answer, 1), nothrow);
    if (rec) co_return std::nullopt;
    co_return answer;
}

// Reads until the server's first message is whole and keeps it in startup_reply_ for
// watch_server_startup(); says whether it is a refusal worth retrying elsewhere.
asio::awaitable<RelaySession::FirstReply> RelaySession::read_first_server_reply() {
    startup_reply_.clear();
    std::byte buffer[4096];
    for (;;) {
        auto [ec, n] = co_await server_.async_read_some(asio::buffer(buffer), nothrow);
        // Closed before a single byte came back (a postmaster going down): nothing reached
        // the client yet, so this too can be replayed elsewhere.
        if (ec) co_return startup_reply_.empty() && client_.is_open() ? FirstReply::retry : FirstReply::failed;
        startup_reply_.insert(startup_reply_.end(), buffer, buffer + n);
        const auto frame = protocol::read_frame(startup_reply_, protocol::Sender::backend, max_startup_reply);
        if (frame.is_error()) co_return FirstReply::failed;
        if (frame.is_need_more()) continue;
        if (frame.type != 'E') co_return FirstReply::usable;
        const auto fields = protocol::ErrorFields::parse(frame.payload);
        if (fields && !server_.encrypted() && !server_tls_retry_ && tls_ &&
            tls::next_server_attempt(tls_->config.server.mode, tls::ServerAttempt::plain, fields->sqlstate())) {
            server_tls_retry_ = true;  // tls.server.mode allow: again, with TLS
            co_return FirstReply::retry;
        }
        co_return fields && fields->sqlstate() == sqlstate::cannot_connect_now ? FirstReply::retry
                                                                             : FirstReply::usable;
    }
}

void RelaySession::release_server() {
    boost::system::error_code ignored;
    server_.close(ignored);
    if (!node_.empty()) worker_.sessions().unbind(node_);
    node_.clear();
}

asio::awaitable<std::optional<RelaySession::StartupPacket>> RelaySession::read_startup_packet() {
    std::byte header[8];
    auto [ec, n] = co_await asio::async_read(client_, asio::buffer(header), nothrow);
    if (ec) co_return std::nullopt;
    const auto length = protocol::load_u32(header);
    if (length < 8 || length > protocol::default_max_startup_length) {
        co_await refuse(sqlstate::protocol_violation,
                        "invalid startup packet length " + std::to_string(length));
        co_return std::nullopt;
    }
    StartupPacket packet;
    packet.code = protocol::load_u32(header + 4);
    packet.bytes.resize(length);
    std::memcpy(packet.bytes.data(), header, sizeof header);
    if (length > sizeof header) {
        auto [rec, rn] = co_await asio::async_read(
            client_, asio::buffer(packet.bytes.data() + sizeof header, length - sizeof header), nothrow);
        if (rec) co_return std::nullopt;
    }
    co_return packet;
}

asio::awaitable<bool> RelaySession::connect_to_eligible_node(Worker::Clock::time_point deadline) {
    const auto snapshot = worker_.config_snapshot();
    const auto& config = *snapshot;
    const RoutePolicy policy{config.listen.replica_fallback_to_primary};
    auto sessions_on = [this](std::string_view node) { return worker_.sessions().sessions_on(node); };
    for (;;) {
        // Re-read the snapshot every round: a failed connect is often the old primary, and
        // the next snapshot may already name the new one.
        const auto topology = worker_.topology();
        const auto* node = topology ? choose_node(*topology, role_, policy, sessions_on, worker_.next_rotation())
                                    : nullptr;
        if (node) {
            const auto name = node->name;
            const auto host = node->host;
            const auto port = node->port;
            if (co_await try_connect(host, port)) {
                // The snapshot may have moved while we connected; only keep an eligible node.
                const auto now_topology = worker_.topology();
                if (now_topology && node_takes_new_work(*now_topology, role_, name)) {
                    node_ = name;
                    server_endpoint_ = conf::Endpoint{host, port};
                    worker_.sessions().bind(node_);
                    set_stream_options(server_.lowest_layer(), config.listen.tcp_keepalive);
                    co_return true;
                }
                boost::system::error_code ignored;
                server_.close(ignored);
                continue;
            }
            if (!client_.is_open()) co_return false;
            if (Worker::Clock::now() >= deadline) co_return false;
            // Brief pause so a refused connect does not spin while health catches up.
            asio::steady_timer pause(worker_.context());
            pause.expires_after(std::chrono::milliseconds(50));
            co_await pause.async_wait(nothrow);
            continue;
        }
        if (Worker::Clock::now() >= deadline || !client_.is_open()) co_return false;
        co_await worker_.topology_change(deadline);
    }
}

asio::awaitable<bool> RelaySession::try_connect(const std::string& host, std::uint16_t port) {
    const auto [rec, endpoints] = co_await net::look_up(host, port);
    if (rec) {
        spdlog::warn("cannot resolve node host={} error={}", host, rec.message());
        co_return false;
    }
    const auto endpoint = endpoints.front();
    server_.reset();
    asio::steady_timer timeout(worker_.context());
    timeout.expires_after(worker_.config().listen.server_connect_timeout);
    auto result = co_await (server_.lowest_layer().async_connect(endpoint, nothrow) || timeout.async_wait(nothrow));
    if (result.index() == 1) {
        spdlog::warn("connect timeout node={}:{} client={}", host, port, peer_);
        co_return false;
    }
    const auto [cec] = std::get<0>(result);
    if (cec) {
        spdlog::debug("connect failed node={}:{} error={}", host, port, cec.message());
        co_return false;
    }
    co_return true;
}

asio::awaitable<void> RelaySession::forward_cancel(const StartupPacket& packet) {
    const auto request = protocol::CancelRequest::parse(protocol::Bytes(packet.bytes).subspan(4));
    if (!request || !request->secret_key_u32()) co_return;
    const CancelKey key{static_cast<std::uint32_t>(request->process_id), *request->secret_key_u32()};
    co_await forward_pooled_cancel(worker_, key);
}

// tls.client.mode against the client's StartupMessage: require refuses plain text,
// verify-full wants the certificate's name to be the user.
asio::awaitable<bool> RelaySession::client_tls_allows(const StartupPacket& packet) {
    const auto startup = protocol::StartupMessage::parse(protocol::Bytes(packet.bytes).subspan(4));
    const auto user = startup ? startup->user().value_or("") : std::string_view{};
    auto refusal = check_client_tls(tls_.get(), client_, user);
    if (!refusal) co_return true;
    co_await refuse(refusal->sqlstate, std::move(refusal->message));
    co_return false;
}

// SSLRequest and handshake on a fresh server connection, as tls.server.mode says. A
// connection that broke may be retried elsewhere; a refusal goes to the client.
asio::awaitable<RelaySession::FirstReply> RelaySession::secure_server() {
    const auto mode = tls_ ? tls_->config.server.mode : conf::TlsMode::disable;
    const auto attempt = server_tls_retry_ ? tls::ServerAttempt::tls_required : tls::first_server_attempt(mode);
    const auto failure = co_await tls::secure_server_connection(server_, attempt, tls_.get(), server_endpoint_.host);
    if (!failure) co_return FirstReply::usable;
    spdlog::warn("server TLS failed node={} id={} error=\"{}\"", node_, id_, failure->message);
    if (!failure->definitive && client_.is_open()) co_return FirstReply::retry;
    co_await refuse(sqlstate::connection_failure, failure->message);
    co_return FirstReply::failed;
}

asio::awaitable<void> RelaySession::refuse(std::string_view sqlstate, std::string message) {
    worker_.stats().rejected[static_cast<int>(role_)].fetch_add(1, std::memory_order_relaxed);
    spdlog::info("client refused id={} client={} role={} sqlstate={} message=\"{}\"", id_, peer_,
                 to_string(role_), sqlstate, message);
    protocol::ByteBuffer bytes;
    protocol::write_error_response(bytes, {protocol::Severity::fatal, sqlstate, message});
    co_await asio::async_write(client_, asio::buffer(bytes), nothrow);
}

asio::awaitable<void> RelaySession::relay_client_to_server() {
    auto* buffer = upstream_buffer_.get();
    for (;;) {
        auto [ec, n] = co_await client_.async_read_some(asio::buffer(buffer, relay_buffer_size), deferred_nothrow);
        if (ec) {
            if (ec == asio::error::eof) {
                // Half-close: the client is done sending; the server may still answer.
                boost::system::error_code ignored;
                server_.shutdown(tcp::socket::shutdown_send, ignored);
            } else {
                close_both();
            }
            co_return;
        }
        stats_->bytes_received += n;
        // One writer per direction, so the chunk may go out at once (tls/socket_stream.hpp);
        // the event loop only waits for what the socket did not take. Inline, not a helper
        // coroutine: that would be a frame per chunk.
        boost::system::error_code wec;
        std::array<asio::const_buffer, 1> pieces{asio::buffer(buffer, n)};
        if (!server_.write_now(pieces, wec) && !wec)
            std::tie(wec, std::ignore) = co_await asio::async_write(server_, pieces, deferred_nothrow);
        if (wec) {
            close_both();
            co_return;
        }
    }
}

asio::awaitable<void> RelaySession::relay_server_to_client(bool watch_startup) {
    if (watch_startup && !co_await watch_server_startup()) {
        close_both();
        co_return;
    }
    auto* buffer = downstream_buffer_.get();
    for (;;) {
        auto [ec, n] = co_await server_.async_read_some(asio::buffer(buffer, relay_buffer_size), deferred_nothrow);
        if (ec) {
            if (ec == asio::error::eof) {
                boost::system::error_code ignored;
                client_.shutdown(tcp::socket::shutdown_send, ignored);
            } else {
                close_both();
            }
            co_return;
        }
        stats_->bytes_sent += n;
        boost::system::error_code wec;  // written as in relay_client_to_server()
        std::array<asio::const_buffer, 1> pieces{asio::buffer(buffer, n)};
        if (!client_.write_now(pieces, wec) && !wec)
            std::tie(wec, std::ignore) = co_await asio::async_write(client_, pieces, deferred_nothrow);
        if (wec) {
            close_both();
            co_return;
        }
    }
}

// Relays the server's startup replies message by message until ReadyForQuery, noting the
// cancel key and refusing a "primary" that reports in_hot_standby=on (it is read-only, e.g.
// restarted by Patroni after a crash while the REST API still says primary). A SASL offer
// may lose its channel binding on the way (tls/channel_binding.hpp).
asio::awaitable<bool> RelaySession::watch_server_startup() {
    auto pending = std::move(startup_reply_);  // starts with the first reply, already read
    auto* buffer = downstream_buffer_.get();
    for (bool first_round = true;; first_round = false) {
        if (!first_round) {
            auto [ec, n] = co_await server_.async_read_some(asio::buffer(buffer, relay_buffer_size), deferred_nothrow);
            if (ec) co_return false;
            pending.insert(pending.end(), buffer, buffer + n);
            if (pending.size() > max_startup_reply) co_return false;
        }

        std::size_t complete = 0;  // bytes of whole messages we have checked
        bool ready = false;
        while (!ready) {
            const auto frame = protocol::read_frame(protocol::Bytes(pending).subspan(complete),
                                                    protocol::Sender::backend, max_startup_reply);
            if (frame.is_error()) {
                spdlog::warn("node {} sent a malformed startup reply ({}); closing client id={}", node_,
                             frame.error, id_);
                co_return false;
            }
            if (!frame.is_frame()) break;
            if (frame.type == 'S' && role_ == ListenerRole::primary) {
                const auto parameter = protocol::ParameterStatus::parse(frame.payload);
                if (parameter && parameter->name == "in_hot_standby" && parameter->value == "on") {
                    worker_.stats().read_only_refusals.fetch_add(1, std::memory_order_relaxed);
                    spdlog::warn("node {} reports in_hot_standby=on on the primary port; refusing client id={} "
                                 "and taking the node out of write routing",
                                 node_, id_);
                    worker_.services().report_read_only(node_);
                    co_await refuse(sqlstate::cannot_connect_now,
                                    "node " + node_ + " is read-only (in recovery); no writable primary right now, "
                                    "please retry");
                    co_return false;
                }
            }
            if (frame.type == 'R' && tls::hide_channel_binding(client_.encrypted(), server_.encrypted())) {
                if (auto offer = tls::sasl_offer_without_channel_binding(frame.payload)) {
                    const auto at = pending.begin() + static_cast<std::ptrdiff_t>(complete);
                    pending.erase(at, at + static_cast<std::ptrdiff_t>(frame.consumed));
                    pending.insert(pending.begin() + static_cast<std::ptrdiff_t>(complete), offer->begin(), offer->end());
                    complete += offer->size();
                    continue;
                }
            }
            if (frame.type == 'K') {
                const auto key = protocol::BackendKeyData::parse(frame.payload);
                if (key && key->secret_key_u32()) {
                    cancel_key_ = CancelKey{static_cast<std::uint32_t>(key->process_id), *key->secret_key_u32()};
                    worker_.services().cancels.add(*cancel_key_, CancelTarget{server_endpoint_, 0, 0});
                }
            }
            complete += frame.consumed;
            ready = frame.type == 'Z';
        }
        if (complete > 0 || ready) {
            // Anything after ReadyForQuery is already a query reply: pass it on unchanged.
            const auto to_send = ready ? pending.size() : complete;
            stats_->bytes_sent += to_send;
            auto [wec, wn] = co_await asio::async_write(client_, asio::buffer(pending.data(), to_send), nothrow);
            if (wec) co_return false;
            pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(to_send));
        }
        if (ready) {
            login_timer_.cancel();
            co_return true;
        }
    }
}

}  // namespace pgfront::proxy
