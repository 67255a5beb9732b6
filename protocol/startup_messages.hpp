// Views of the startup-phase packets (StartupMessage, SSLRequest, GSSENCRequest,
// CancelRequest) and of NegotiateProtocolVersion, the server's answer to a newer minor.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/bytes.hpp"
#include "protocol/wire_reader.hpp"

namespace pgfront::protocol {

constexpr std::uint32_t make_protocol_version(std::uint16_t major, std::uint16_t minor) {
    return (std::uint32_t{major} << 16) | minor;
}
inline constexpr std::uint32_t protocol_version_3_0 = make_protocol_version(3, 0);  // 196608
inline constexpr std::uint32_t cancel_request_code = make_protocol_version(1234, 5678);
inline constexpr std::uint32_t ssl_request_code = make_protocol_version(1234, 5679);
inline constexpr std::uint32_t gssenc_request_code = make_protocol_version(1234, 5680);

// What the code word of a startup packet asks for. Protocol 2 and anything else is
// unsupported (PostgreSQL 15 answers it with a FATAL ErrorResponse).
enum class StartupKind : std::uint8_t {
    startup_message,
    ssl_request,
    gssenc_request,
    cancel_request,
    unsupported,
};
StartupKind classify_startup(std::uint32_t code);

struct StartupParameter {
    std::string_view name;
    std::string_view value;
};

// Name/value pairs of a validated StartupMessage, in the order the client sent them.
class StartupParameterList {
  public:
    class iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = StartupParameter;
        using difference_type = std::ptrdiff_t;
        using pointer = const StartupParameter*;
        using reference = StartupParameter;

        iterator() = default;
        explicit iterator(CStringList::iterator at) : at_(at) {}
        StartupParameter operator*() const {
            auto next = at_;
            ++next;
            return {*at_, next == CStringList::iterator() ? std::string_view{} : *next};
        }
        iterator& operator++() {
            ++at_;
            if (at_ != CStringList::iterator()) ++at_;
            return *this;
        }
        friend bool operator==(const iterator&, const iterator&) = default;

      private:
        CStringList::iterator at_;
    };

    StartupParameterList() = default;
    explicit StartupParameterList(Bytes bytes) : strings_(bytes) {}
    iterator begin() const { return iterator(strings_.begin()); }
    iterator end() const { return iterator(strings_.end()); }
    bool empty() const { return strings_.empty(); }

  private:
    CStringList strings_;
};

// Protocol options are startup parameters named "_pq_.<option>"; a server that does not
// know one lists it in NegotiateProtocolVersion instead of failing.
inline bool is_protocol_option(std::string_view name) {
    return name.starts_with("_pq_.");
}

// StartupMessage: Int32 version, then String name / String value pairs, then a NUL.
struct StartupMessage {
    std::uint32_t protocol_version = 0;
    Bytes parameter_bytes;  // the pairs, without the final NUL

    std::uint16_t major() const { return static_cast<std::uint16_t>(protocol_version >> 16); }
    std::uint16_t minor() const { return static_cast<std::uint16_t>(protocol_version & 0xffff); }
    StartupParameterList parameters() const { return StartupParameterList(parameter_bytes); }
    // The value of the last pair with this name, as PostgreSQL takes the last one too.
    std::optional<std::string_view> find(std::string_view name) const;
    std::optional<std::string_view> user() const { return find("user"); }
    // When absent the server uses the user name; that default is the caller's to apply.
    std::optional<std::string_view> database() const { return find("database"); }
    std::size_t protocol_option_count() const;

    // Requires major version 3 and the exact layout PostgreSQL accepts: every name has a
    // value (possibly empty) and a single NUL ends the packet. `payload` starts at the code.
    static std::optional<StartupMessage> parse(Bytes payload);
};

// True when the client asked for a minor version above `supported_minor` or sent protocol
// options: the server must then answer with NegotiateProtocolVersion before proceeding.
bool needs_protocol_negotiation(const StartupMessage& message, std::uint16_t supported_minor = 0);

struct SslRequest {
    static std::optional<SslRequest> parse(Bytes payload);
};

struct GssEncRequest {
    static std::optional<GssEncRequest> parse(Bytes payload);
};

// CancelRequest: Int32 code, Int32 process ID, then the secret key. Protocol 3.0 keys are
// 4 bytes; 3.2 allows up to 256, which is accepted here so the view never rejects a newer
// client's request outright.
struct CancelRequest {
    std::int32_t process_id = 0;
    Bytes secret_key;

    std::optional<std::uint32_t> secret_key_u32() const {
        if (secret_key.size() != 4) return std::nullopt;
        return load_u32(secret_key.data());
    }
    static std::optional<CancelRequest> parse(Bytes payload);
};

// NegotiateProtocolVersion ('v'): Int32 newest minor version the server supports, Int32
// count, then that many option names it did not recognize.
struct NegotiateProtocolVersion {
    std::uint32_t newest_minor = 0;
    CStringList unrecognized_options;

    static std::optional<NegotiateProtocolVersion> parse(Bytes payload);
};

}  // namespace pgfront::protocol
