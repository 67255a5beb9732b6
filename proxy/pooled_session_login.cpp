// The login phase of a pooled client session (pooled_session.hpp): the startup packet
// (SSL, GSS encryption, cancel requests), authentication as PostgreSQL would do it, the
// admin console for database "pgbouncer"/"pgfront", and the welcome that lends the first
// server. The relay that follows is in pooled_session.cpp.
#include "proxy/pooled_session.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <span>

#include "auth/access_policy.hpp"
#include "auth/client_method.hpp"
#include "auth/hba_rules.hpp"
#include "auth/md5_password.hpp"
#include "auth/random_source.hpp"
#include "auth/scram_server_exchange.hpp"
#include "auth/user_list.hpp"
#include "pool/effective_settings.hpp"
#include "protocol/authentication.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/sqlstate.hpp"
#include "protocol/startup_messages.hpp"
#include "proxy/admin_console.hpp"
#include "proxy/cancel_directory.hpp"
#include "proxy/cancel_forwarding.hpp"
#include "proxy/client_access.hpp"
#include "proxy/client_tls.hpp"
#include "proxy/worker.hpp"

namespace pgfront::proxy {
namespace asio = boost::asio;
namespace sqlstate = protocol::sqlstate;

namespace {
constexpr std::size_t max_auth_message = 10000;

std::string text_of(protocol::Bytes bytes) { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
protocol::Bytes bytes_of(std::string_view text) { return {reinterpret_cast<const std::byte*>(text.data()), text.size()}; }
}  // namespace

// Database "pgbouncer"/"pgfront": the admin console, for admin.admin_users and
// admin.stats_users once they proved their password like any client (PgBouncer's order:
// authentication first, so the answer does not tell who is an admin).
asio::awaitable<void> PooledSession::serve_console() {
    if (!co_await authenticate()) co_return;
    const auto& admin = worker_.config().admin;
    const auto listed = [this](const std::vector<std::string>& users) {
        return std::find(users.begin(), users.end(), user_) != users.end();
    };
    const bool is_admin = listed(admin.admin_users);
    if (!is_admin && !listed(admin.stats_users)) {
        co_await fail(sqlstate::invalid_authorization_specification,
                      "not allowed: user \"" + user_ + "\" is in neither admin.admin_users nor admin.stats_users");
        co_return;
    }
    login_timer_.reset();
    enter(ClientState::active, Clock::now());
    AdminConsole console(worker_, client_, client_in_, user_, is_admin);
    co_await console.run();
}

// Startup packets until a StartupMessage: SSL as tls.client.mode says (client_tls.hpp), GSS
// encryption declined (the client continues in plain text), cancel requests forwarded,
// also when they come inside TLS.
asio::awaitable<bool> PooledSession::read_startup() {
    // As in PostgreSQL, each kind of encryption request is answered once; a repeated one
    // falls through to the protocol version check below and is refused there.
    bool ssl_answered = false;
    bool gss_answered = false;
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
        auto kind = protocol::classify_startup(frame.code);
        if ((kind == protocol::StartupKind::ssl_request && ssl_answered) ||
            (kind == protocol::StartupKind::gssenc_request && gss_answered))
            kind = protocol::StartupKind::unsupported;
        if (kind == protocol::StartupKind::ssl_request) {
            client_in_.consume(frame.consumed);
            ssl_answered = true;
            const ClientTlsContext context{tls_.get(), false, id_, peer_};
            const auto outcome = co_await answer_client_ssl_request(client_, context, !client_in_.empty());
            if (outcome == SslRequestOutcome::failed) co_return false;
            gss_answered = gss_answered || outcome == SslRequestOutcome::encrypted;  // no GSS inside TLS
            continue;
        }
        if (kind == protocol::StartupKind::gssenc_request) {
            client_in_.consume(frame.consumed);
            gss_answered = true;
            protocol::write_ssl_response(out_, false);
            if (!co_await send(out_)) co_return false;
            if (!client_in_.empty()) {
                co_await fail(sqlstate::protocol_violation, "received unencrypted data after GSSAPI encryption request");
                co_return false;
            }
            continue;
        }
        if (kind == protocol::StartupKind::cancel_request) {
            const auto request = protocol::CancelRequest::parse(frame.payload);
            if (request && request->secret_key_u32())
                co_await forward_pooled_cancel(worker_, {static_cast<std::uint32_t>(request->process_id),
                                                         *request->secret_key_u32()});
            co_return false;
        }
        if (kind == protocol::StartupKind::unsupported) {  // PostgreSQL's answer, before the layout
            co_await fail(sqlstate::feature_not_supported,
                          "unsupported frontend protocol " + std::to_string(frame.code >> 16) + "." +
                              std::to_string(frame.code & 0xFFFF) + ": server supports 3.0 to 3.0");
            co_return false;
        }
        const auto startup = protocol::StartupMessage::parse(frame.payload);
        if (!startup) {
            co_await fail(sqlstate::protocol_violation, "invalid startup packet layout");
            co_return false;
        }
        user_ = std::string(startup->user().value_or(""));
        database_ = std::string(startup->database().value_or(user_));
        std::vector<std::pair<std::string_view, std::string_view>> requested;
        for (const auto parameter : startup->parameters()) requested.emplace_back(parameter.name, parameter.value);
        auto settings = pool::startup_settings(requested);
        if (protocol::needs_protocol_negotiation(*startup)) {  // a newer minor, or _pq_. options
            protocol::write_negotiate_protocol_version(out_, *startup, 0);
            if (!co_await send(out_)) co_return false;
        }
        client_in_.consume(frame.consumed);
        if (user_.empty()) {
            co_await fail(sqlstate::invalid_authorization_specification, "no PostgreSQL user name specified in startup packet");
            co_return false;
        }
        if (auto refusal = check_client_tls(tls_.get(), client_, user_)) {
            co_await fail(refusal->sqlstate, refusal->message);
            co_return false;
        }
        if (settings.error) {
            co_await fail(sqlstate::protocol_violation, *settings.error);
            co_return false;
        }
        wanted_reported_ = worker_.parameter_sets().intern(std::move(settings.wanted.reported));
        wanted_other_ = std::move(settings.wanted.other);
        // Across every worker, as PgBouncer's limit holds for the whole process. A share is
        // taken atomically, so logins racing on two workers cannot both take the last one,
        // and a refused client holds none while it is told. The admin console is exempt, as
        // in PgBouncer: an operator must get in to see why the proxy is full.
        if (is_console_database(database_)) co_return true;
        const auto& client_slots = worker_.services().client_slots;
        client_slots->set_limit(worker_.config().pool.max_client_conn);
        client_slot_ = pool::QuotaTokens::take(client_slots, nullptr);
        if (!client_slot_) {
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
    const auth::ConnectionFacts facts{client_.encrypted(), database_, user_, client_address(client_.lowest_layer())};
    const auto access = auth::decide_access(worker_.access_policy(), facts);
    if (access.verdict != auth::AccessVerdict::allowed) {
        auto message = auth::access_refusal_message(access.verdict, facts);
        co_await fail(sqlstate::invalid_authorization_specification, std::move(message));
        co_return false;
    }
    auto lookup = co_await worker_.auth_lookup().find(user_, database_);
    if (lookup.error) spdlog::error("password lookup failed id={} user={} db={} error=\"{}\"", id_, user_, database_, *lookup.error);
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
    // A plaintext entry has a secret derived when it was loaded: every exchange then costs the same.
    if (!choice.doomed && entry && entry->scram)
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

// The values a pool's servers reported at their login, with the client's startup settings
// in place, when that is all the client's login needs to report: the client is then
// welcomed at once, even while every server is busy (as PgBouncer does), and gets a server
// with its first message (in session mode, for the rest of the session) with its settings
// applied. Settings PostgreSQL never reports, or may report spelt otherwise, are tried on a
// server first so that one it refuses fails the login, as it would on PostgreSQL.
std::optional<pool::Parameters> PooledSession::welcome_from_pool() {
    if (!wanted_other_.empty()) return std::nullopt;
    const auto topology = worker_.topology();
    if (!topology) return std::nullopt;
    const auto* node = choose_node_now(*topology, RotationTurn::peek);
    if (!node) return std::nullopt;
    const auto& known = pool_on(*node).server_parameters();
    if (!known) return std::nullopt;
    return pool::welcome_parameters(*known, wanted_reported_ ? *wanted_reported_ : pool::Parameters{});
}

// AuthenticationOk and the server's parameters. Otherwise than above, the client waits for
// a server here; the first client of a pool waits for its first server login, which also
// proves the database and credentials work.
asio::awaitable<bool> PooledSession::welcome() {
    auto parameters = welcome_from_pool();
    if (!parameters) {
        if (!co_await acquire_server()) co_return false;
        // The server may come from another client, whose SETs are still in place (transaction
        // mode resets nothing between clients): what this client did not ask for in its
        // startup packet starts as in a new session.
        if (const auto& at_login = pool_.pool->server_parameters()) {
            wanted_reported_ = worker_.parameter_sets().intern(pool::session_start_values(
                *at_login, wanted_reported_ ? *wanted_reported_ : pool::Parameters{}, server_->parameters()));
            if (!parameters_in_sync() && !co_await sync_parameters()) co_return false;
        }
        parameters = server_->parameters();
        if (mode_ != conf::PoolMode::session) co_await release_server();
    }
    // The server's values after the client's startup settings were applied are the client's
    // session values from now on, in the server's own spelling ("utc" -> "UTC").
    pool::Parameters reported;
    for (const auto& [name, value] : *parameters)
        if (pool::synced_reported_name(name) == name) pool::set_value(reported, name, value);
    wanted_reported_ = worker_.parameter_sets().intern(std::move(reported));

    protocol::write_authentication_ok(out_);
    for (const auto& [name, value] : *parameters) protocol::write_parameter_status(out_, name, value);
    auth::SystemRandom random;
    while (cancel_secret_ == 0)
        random.fill(std::span(reinterpret_cast<std::uint8_t*>(&cancel_secret_), sizeof cancel_secret_));
    CancelTarget owner;
    owner.owner_worker = worker_.index();
    owner.owner_session = id_;
    const auto key = CancelKey::of_session(id_, cancel_secret_);
    worker_.services().cancels.add(key, owner);
    protocol::write_backend_key_data(out_, static_cast<std::int32_t>(key.process_id), key.secret);
    protocol::write_ready_for_query(out_, protocol::TransactionStatus::idle);
    welcomed_ = true;
    slow_client_ = true;  // its first request may be long in coming: wait for it without a buffer
    enter(ClientState::idle, Clock::now());
    const bool sent = co_await send(out_);
    protocol::ByteBuffer().swap(out_);  // the login's buffer is not needed while the client idles
    co_return sent;
}

}  // namespace pgfront::proxy
