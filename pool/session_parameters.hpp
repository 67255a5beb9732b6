// Session parameters in the pooling modes. A client's settings (from its startup packet, and
// every SET the server reports back through ParameterStatus) belong to the client, not to the
// server connection it happens to use: before a client's transaction runs on a server whose
// values differ, pgfront sends the SET statements that bring it in line. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgfront::pool {

using Parameters = std::vector<std::pair<std::string, std::string>>;

std::optional<std::string_view> value_of(const Parameters& parameters, std::string_view name);
void set_value(Parameters& parameters, std::string_view name, std::string_view value);
void remove_value(Parameters& parameters, std::string_view name);

// The canonical name of a parameter PostgreSQL reports (GUC_REPORT) that a client may change
// and pgfront keeps in line ("timezone" -> "TimeZone"); nullopt for any other name,
// including reported ones no client can change (server_version, is_superuser, ...).
std::optional<std::string_view> synced_reported_name(std::string_view name);

struct SessionParameters {
    Parameters reported;  // canonical names, values as the server reports them
    Parameters other;     // startup settings PostgreSQL never reports (e.g. extra_float_digits)
};

// What a client's startup packet asks for besides user and database: reported settings,
// other settings (including `-c name=value` items of `options`), or an error text for what
// pgfront can't honour (replication connections, malformed names or options).
struct StartupSettings {
    SessionParameters wanted;
    std::optional<std::string> error;
};
StartupSettings startup_settings(const std::vector<std::pair<std::string_view, std::string_view>>& startup);

// What a client's login reports (ParameterStatus) when it is answered from the values of
// its pool's last server login instead of a server of its own: those values, with the
// client's startup settings in their place. nullopt when a setting's value as PostgreSQL
// would report it can only be learnt from a server ("utc" comes back "UTC", "ISO" as
// "ISO, MDY"): only a value equal to the server's, or an application_name PostgreSQL keeps
// as given (printable ASCII, shorter than NAMEDATALEN), is known without asking.
std::optional<Parameters> welcome_parameters(const Parameters& server, const Parameters& wanted_reported);

// What a client that logged in on a server of its own starts its session with, once its
// startup settings were applied there (`server_now`): for the settings it gave, the server's
// values (in the server's spelling: "utc" comes back "UTC"); for every other setting it may
// SET, the value a new session gets (`at_login`, what the pool's servers reported at their
// login), not what an earlier client of this server left behind. Only the settings a
// session may SET are returned (synced_reported_name).
Parameters session_start_values(const Parameters& at_login, const Parameters& startup_reported,
                                const Parameters& server_now);

// The statements (one simple query) that turn the server's values into `wanted`: SET for
// every difference, RESET for an `other` setting the server has and the client doesn't. ""
// when nothing differs.
std::string sync_statements(const Parameters& wanted_reported, const Parameters& wanted_other,
                            const Parameters& server_reported, const Parameters& server_other);
inline std::string sync_statements(const SessionParameters& wanted, const Parameters& server_reported,
                                   const Parameters& server_other) {
    return sync_statements(wanted.reported, wanted.other, server_reported, server_other);
}
inline std::string sync_statements(const SessionParameters& wanted, const SessionParameters& server) {
    return sync_statements(wanted, server.reported, server.other);
}

}  // namespace pgfront::pool
