// TLS upgrade and inspection of a SocketStream (see socket_stream.hpp).
#include "tls/socket_stream.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/completion_tokens.hpp"

namespace pgfront::tls {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {
using net::nothrow;
}

SocketStream::SocketStream(lowest_layer_type socket) : socket_(std::move(socket)) {}

SocketStream::SocketStream(const executor_type& executor) : socket_(executor) {}

SocketStream::~SocketStream() = default;

void SocketStream::reset() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    tls_.reset();
    socket_ = lowest_layer_type(socket_.get_executor());
}

bool SocketStream::write_now(std::span<asio::const_buffer> buffers, boost::system::error_code& ec) {
    constexpr std::size_t max_pieces = 4;
    if (tls_ || buffers.size() > max_pieces) return false;
    std::array<iovec, max_pieces> pieces{};
    std::size_t count = 0, total = 0;
    for (const auto& b : buffers) {
        if (b.size() == 0) continue;
        pieces[count++] = iovec{const_cast<void*>(b.data()), b.size()};
        total += b.size();
    }
    if (total == 0) return true;
    msghdr message{};
    message.msg_iov = pieces.data();
    message.msg_iovlen = count;
    const ssize_t sent = ::sendmsg(socket_.native_handle(), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            ec = boost::system::error_code(errno, boost::system::system_category());
        return false;
    }
    auto left = static_cast<std::size_t>(sent);
    for (auto& b : buffers) {
        const auto step = std::min(left, b.size());
        b += step;
        left -= step;
    }
    return static_cast<std::size_t>(sent) == total;
}

asio::awaitable<boost::system::error_code> SocketStream::handshake_as_server(
    std::shared_ptr<ssl::context> context) {
    tls_ = std::make_unique<Tls>(socket_, std::move(context));
    auto [ec] = co_await tls_->stream.async_handshake(ssl::stream_base::server, nothrow);
    co_return ec;
}

asio::awaitable<boost::system::error_code> SocketStream::handshake_as_client(
    std::shared_ptr<ssl::context> context, const std::string& host, bool verify_host) {
    tls_ = std::make_unique<Tls>(socket_, std::move(context));
    SSL* ssl_handle = tls_->stream.native_handle();
    boost::system::error_code not_ip;
    asio::ip::make_address(host, not_ip);
    const bool is_ip = !not_ip;
    // SNI carries host names only (RFC 6066 section 3), as libpq does.
    if (!is_ip) SSL_set_tlsext_host_name(ssl_handle, host.c_str());
    if (verify_host) {
        // OpenSSL checks the name during chain verification, so a mismatch fails the
        // handshake with X509_V_ERR_HOSTNAME_MISMATCH / IP_ADDRESS_MISMATCH as the reason.
        auto* param = SSL_get0_param(ssl_handle);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (is_ip)
            X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
        else
            X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
    auto [ec] = co_await tls_->stream.async_handshake(ssl::stream_base::client, nothrow);
    co_return ec;
}

std::string SocketStream::describe_failure(const boost::system::error_code& ec) const {
    std::string text = ec.message();
    if (!tls_) return text;
    const long verify = SSL_get_verify_result(tls_->stream.native_handle());
    if (verify != X509_V_OK) text += std::string(": ") + X509_verify_cert_error_string(verify);
    return text;
}

std::optional<std::string> SocketStream::peer_common_name() const {
    if (!tls_) return std::nullopt;
    SSL* ssl_handle = tls_->stream.native_handle();
    X509* cert = SSL_get0_peer_certificate(ssl_handle);
    if (!cert || SSL_get_verify_result(ssl_handle) != X509_V_OK) return std::nullopt;
    X509_NAME* subject = X509_get_subject_name(cert);
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index < 0) return std::nullopt;
    unsigned char* utf8 = nullptr;
    const int length =
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
    if (length < 0) return std::nullopt;
    std::string name(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    // A NUL inside the name could make "app\0.evil" pass as "app" (PostgreSQL refuses it too).
    if (name.find('\0') != std::string::npos) return std::nullopt;
    return name;
}

std::string SocketStream::describe_session() const {
    if (!tls_) return "plain";
    SSL* ssl_handle = tls_->stream.native_handle();
    return std::string(SSL_get_version(ssl_handle)) + " " + SSL_get_cipher_name(ssl_handle);
}

}  // namespace pgfront::tls
