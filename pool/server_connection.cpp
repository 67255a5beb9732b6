// Server login (see server_connection.hpp). Errors the server sends are kept whole so the
// client sees PostgreSQL's own message and SQLSTATE.
#include "pool/server_connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cstring>

#include "auth/md5_password.hpp"
#include "net/completion_tokens.hpp"
#include "net/guarded_deadline.hpp"
#include "net/name_lookup.hpp"
#include "auth/random_source.hpp"
#include "auth/scram_client_exchange.hpp"
#include "protocol/authentication.hpp"
#include "protocol/backend_status.hpp"
#include "protocol/error_fields.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/simple_query.hpp"
#include "protocol/sqlstate.hpp"
#include "protocol/value_list.hpp"
#include "tls/server_tls_negotiation.hpp"

namespace pgfront::pool {
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {
using net::nothrow;
constexpr std::size_t max_login_message = 1024 * 1024;

std::string text_of(protocol::Bytes bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
protocol::Bytes bytes_of(std::string_view text) {
    return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}
LoginFailure failure(std::string_view sqlstate, std::string message) {
    return LoginFailure{std::string(sqlstate), std::move(message), {}, false};
}
LoginFailure definitive(std::string_view sqlstate, std::string message) {
    return LoginFailure{std::string(sqlstate), std::move(message), {}, true};
}
}  // namespace

ServerConnection::ServerConnection(asio::any_io_executor executor, ServerId id, std::string node,
                                   conf::Endpoint endpoint)
    : id_(id), node_(std::move(node)), endpoint_(std::move(endpoint)), socket_(executor) {
    // pgfront reads a server right after sending it a request, before it can have answered.
    socket_.set_draining_reads(net::Draining::reply_end);
}

void ServerConnection::close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

asio::awaitable<std::optional<LoginFailure>> ServerConnection::connect_and_login(const ServerLogin& credentials,
                                                                                std::chrono::milliseconds timeout) {
    // One deadline for connect and the whole exchange: a server that accepts and then
    // stalls must not hold a pool slot forever.
    net::GuardedDeadline deadline(socket_.get_executor());
    deadline.arm(timeout, [this] { close(); });
    std::optional<LoginFailure> result;
    const auto [rec, endpoints] = co_await net::look_up(endpoint_.host, endpoint_.port);
    if (rec) {
        result = failure(protocol::sqlstate::connection_failure, "cannot resolve " + endpoint_.host + ": " + rec.message());
    } else {
        const auto mode = credentials.tls ? credentials.tls->config.server.mode : conf::TlsMode::disable;
        auto attempt = tls::first_server_attempt(mode);
        for (;;) {
            auto [cec, connected] = co_await asio::async_connect(socket_.lowest_layer(), endpoints, nothrow);
            if (cec) {
                result = failure(protocol::sqlstate::connection_failure,
                                 "cannot connect to " + endpoint_.to_string() + ": " + cec.message());
                break;
            }
            boost::system::error_code ignored;
            socket_.lowest_layer().set_option(tcp::no_delay(true), ignored);
            socket_.lowest_layer().set_option(asio::socket_base::keep_alive(true), ignored);
            auto refused = co_await tls::secure_server_connection(socket_, attempt, credentials.tls.get(), endpoint_.host);
            if (refused)
                result = refused->definitive ? definitive(protocol::sqlstate::connection_failure, refused->message)
                                             : failure(protocol::sqlstate::connection_failure, refused->message);
            else
                result = co_await login(credentials);
            const auto next = result ? tls::next_server_attempt(mode, attempt, result->sqlstate) : std::nullopt;
            if (!next || deadline.expiry() <= std::chrono::steady_clock::now()) break;
            // tls.server.mode allow: the plain login was refused, so try again with TLS.
            attempt = *next;
            socket_.reset();
            input_.consume(input_.size());
            parameters_.clear();
            in_hot_standby_ = false;
            synced_to_.reset();
        }
    }
    const bool timed_out = deadline.expiry() <= std::chrono::steady_clock::now();
    deadline.cancel();
    if (result && timed_out)
        result = failure(protocol::sqlstate::connection_failure,
                         "login to " + endpoint_.to_string() + " did not finish within " +
                             std::to_string(timeout.count()) + " ms");
    if (result) close();
    co_return result;
}

void ServerConnection::note_parameter(std::string_view name, std::string_view value) {
    synced_to_.reset();
    if (name == "in_hot_standby") in_hot_standby_ = value == "on";
    auto it = std::find_if(parameters_.begin(), parameters_.end(), [&](const auto& kv) { return kv.first == name; });
    if (it == parameters_.end())
        parameters_.emplace_back(std::string(name), std::string(value));
    else
        it->second = std::string(value);
}

void ServerConnection::note_parameter_status(protocol::Bytes payload) {
    if (const auto p = protocol::ParameterStatus::parse(payload)) note_parameter(p->name, p->value);
}

asio::awaitable<std::optional<LoginFailure>> ServerConnection::login(const ServerLogin& login) {
    protocol::ByteBuffer out;
    {
        std::vector<protocol::StartupParameter> parameters{{"user", login.user}, {"database", login.database}};
        for (const auto& [name, value] : login.startup_parameters) parameters.push_back({name, value});
        protocol::write_startup_message(out, parameters);
    }
    auto send = [this](protocol::ByteBuffer& bytes) -> asio::awaitable<bool> {
        auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes), nothrow);
        bytes.clear();
        co_return !ec;
    };
    if (!co_await send(out)) co_return failure(protocol::sqlstate::connection_failure, "server closed the connection");

    auth::SystemRandom random;
    std::optional<auth::ScramClientExchange> scram;
    for (;;) {
        auto frame = input_.next(protocol::Sender::backend, max_login_message);
        if (frame.is_error())
            co_return failure(protocol::sqlstate::protocol_violation,
                              "server sent a malformed message during login: " + std::string(frame.error));
        if (frame.is_need_more()) {
            auto area = input_.write_area();
            auto [ec, n] = co_await socket_.async_read_some(asio::buffer(area.data(), area.size()), nothrow);
            if (ec)
                co_return failure(protocol::sqlstate::connection_failure,
                                  "server closed the connection during login: " + ec.message());
            input_.commit(n);
            continue;
        }
        const auto payload = frame.payload;
        const char type = frame.type;
        switch (type) {
            case 'E': {
                LoginFailure f;
                const auto fields = protocol::ErrorFields::parse(payload);
                f.sqlstate = fields ? std::string(fields->sqlstate()) : std::string(protocol::sqlstate::connection_failure);
                f.message = fields ? std::string(fields->message()) : "server refused the login";
                const auto whole = input_.pending().first(frame.consumed);
                f.server_error.assign(whole.begin(), whole.end());
                // "starting up" / "shutting down" pass; anything else the server says stays.
                f.definitive = f.sqlstate != protocol::sqlstate::cannot_connect_now &&
                               f.sqlstate != protocol::sqlstate::too_many_connections;
                input_.consume(frame.consumed);
                co_return f;
            }
            case 'S': {
                note_parameter_status(payload);
                break;
            }
            case 'K': {
                if (auto key = protocol::BackendKeyData::parse(payload); key && key->secret_key_u32()) {
                    backend_pid_ = key->process_id;
                    backend_secret_ = *key->secret_key_u32();
                }
                break;
            }
            case 'Z':
                input_.consume(frame.consumed);
                co_return std::nullopt;
            case 'N':
                break;
            case 'R': {
                const auto request = protocol::AuthenticationRequest::parse(payload);
                if (!request) co_return failure(protocol::sqlstate::protocol_violation, "malformed authentication request");
                using protocol::AuthCode;
                const bool plain = login.password && !auth::is_md5_hash(*login.password);
                switch (request->code) {
                    case AuthCode::ok:
                        break;
                    case AuthCode::cleartext_password:
                        if (!plain)
                            co_return definitive(protocol::sqlstate::invalid_password,
                                              "the server asks for a cleartext password, but pgfront has no "
                                              "plaintext password for user " + login.user);
                        protocol::write_password_message(out, *login.password);
                        break;
                    case AuthCode::md5_password: {
                        if (!login.password)
                            co_return definitive(protocol::sqlstate::invalid_password,
                                              "the server asks for MD5, but pgfront has no password or MD5 hash "
                                              "for user " + login.user);
                        auth::Md5Salt salt;
                        std::memcpy(salt.data(), request->md5_salt().data(), salt.size());
                        const auto response = plain ? auth::md5_response_from_password(*login.password, login.user, salt)
                                                    : auth::md5_response_from_hash(*login.password, salt).value_or("");
                        protocol::write_password_message(out, response);
                        break;
                    }
                    case AuthCode::sasl: {
                        bool offered = false;
                        for (auto mechanism : request->sasl_mechanisms()) offered |= mechanism == "SCRAM-SHA-256";
                        if (!offered)
                            co_return definitive(protocol::sqlstate::feature_not_supported,
                                              "the server offers no SASL mechanism pgfront supports");
                        if (login.scram_keys)
                            scram.emplace(auth::ScramClientExchange::with_keys(*login.scram_keys,
                                                                               auth::make_scram_nonce(random)));
                        else if (plain)
                            scram.emplace(auth::ScramClientExchange::with_password(*login.password,
                                                                                   auth::make_scram_nonce(random)));
                        else
                            co_return definitive(protocol::sqlstate::invalid_password,
                                              "the server asks for SCRAM, but pgfront has neither a plaintext "
                                              "password nor SCRAM keys for user " + login.user);
                        protocol::write_sasl_initial_response(out, "SCRAM-SHA-256", bytes_of(scram->first()));
                        break;
                    }
                    case AuthCode::sasl_continue: {
                        if (!scram) co_return failure(protocol::sqlstate::protocol_violation, "unexpected SASLContinue");
                        auto final_message = scram->step(text_of(request->data));
                        if (!final_message)
                            co_return definitive(auth::sqlstate(final_message.error().code),
                                              "SCRAM login to the server failed: " + final_message.error().detail);
                        protocol::write_sasl_response(out, bytes_of(final_message.value()));
                        break;
                    }
                    case AuthCode::sasl_final: {
                        if (!scram) co_return failure(protocol::sqlstate::protocol_violation, "unexpected SASLFinal");
                        if (auto error = scram->verify(text_of(request->data)))
                            co_return definitive(auth::sqlstate(error->code),
                                              "the server's SCRAM signature is wrong: " + error->detail);
                        break;
                    }
                    default:
                        co_return definitive(protocol::sqlstate::feature_not_supported,
                                          "the server asks for an authentication method pgfront does not support");
                }
                break;
            }
            default:
                co_return failure(protocol::sqlstate::protocol_violation,
                                  std::string("unexpected message '") + type + "' during login");
        }
        input_.consume(frame.consumed);
        if (!out.empty() && !co_await send(out))
            co_return failure(protocol::sqlstate::connection_failure, "server closed the connection during login");
    }
}

asio::awaitable<ServerConnection::QueryResult> ServerConnection::query_first_row(
    std::string_view sql, const std::vector<std::string>& params) {
    QueryResult result;
    protocol::ByteBuffer out;
    std::vector<std::uint32_t> types(params.size(), 25);  // text
    protocol::write_parse(out, "", sql, types);
    std::vector<protocol::WireValue> values;
    for (const auto& p : params) values.push_back(protocol::WireValue::text(p));
    protocol::write_bind(out, "", "", {}, values, {});
    protocol::write_execute(out, "", 0);
    protocol::write_sync(out);
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(out), nothrow);
    if (ec) {
        result.error = failure(protocol::sqlstate::connection_failure, "lost the server: " + ec.message());
        co_return result;
    }
    for (;;) {
        const auto frame = input_.next(protocol::Sender::backend, max_login_message);
        if (frame.is_error()) {
            result.error = failure(protocol::sqlstate::protocol_violation, std::string(frame.error));
            co_return result;
        }
        if (frame.is_need_more()) {
            auto area = input_.write_area();
            auto [rec, rn] = co_await socket_.async_read_some(asio::buffer(area.data(), area.size()), nothrow);
            if (rec) {
                result.error = failure(protocol::sqlstate::connection_failure, "lost the server: " + rec.message());
                co_return result;
            }
            input_.commit(rn);
            continue;
        }
        if (frame.type == 'D' && !result.row) {
            if (auto row = protocol::DataRow::parse(frame.payload)) {
                result.row.emplace();
                for (const auto value : row->columns)
                    result.row->push_back(value.is_null ? std::nullopt
                                                        : std::optional<std::string>(std::string(value.as_text())));
            }
        } else if (frame.type == 'E') {
            const auto fields = protocol::ErrorFields::parse(frame.payload);
            result.error = definitive(fields ? fields->sqlstate() : protocol::sqlstate::internal_error,
                                      fields ? std::string(fields->message()) : "query failed");
        } else if (frame.type == 'Z') {
            input_.consume(frame.consumed);
            co_return result;
        }
        input_.consume(frame.consumed);
    }
}

}  // namespace pgfront::pool
