// Parsing GET /patroni: Patroni 3.x and 4.x shapes into PatroniStatus.
#include "health/patroni_status.hpp"

#include <boost/json.hpp>

#include "health/detail/json_field_reader.hpp"

namespace pgfront::health {
namespace {

// Patroni 4.x: a node without an explicit nofailover tag but failover_priority <= 0 never
// becomes primary (patroni/tags.py). Only reported, so a lenient read is enough.
bool nofailover_from_priority(const detail::JsonFieldReader& tags) {
    const auto* priority = tags.find("failover_priority");
    if (priority == nullptr) return false;
    if (priority->is_int64()) return priority->get_int64() <= 0;
    if (priority->is_uint64()) return priority->get_uint64() == 0;
    return false;
}

}  // namespace

ParseResult<PatroniStatus> parse_patroni_status(std::string_view body) {
    std::string json_error;
    auto doc = detail::parse_json(body, json_error);
    if (!doc) return ParseError{std::move(json_error)};
    if (!doc->is_object()) return ParseError{"expected a JSON object"};

    PatroniStatus s;
    detail::JsonFieldReader top(doc->get_object(), "");
    s.state = top.required_string("state");
    s.role_name = top.required_string("role");
    s.role = role_from_patroni(s.role_name);
    s.timeline = top.optional_u64("timeline").value_or(0);
    s.pause = top.optional_bool("pause");
    s.cluster_unlocked = top.optional_bool("cluster_unlocked");
    s.postmaster_start_time = top.optional_string("postmaster_start_time");
    s.replication_state = top.optional_string("replication_state");
    if (top.error()) return ParseError{*top.error()};

    if (const auto* xlog = top.optional_object("xlog")) {
        detail::JsonFieldReader r(*xlog, "xlog");
        s.wal_location = r.optional_u64("location");
        s.received_location = r.optional_u64("received_location");
        s.replayed_location = r.optional_u64("replayed_location");
        if (r.error()) return ParseError{*r.error()};
    }
    if (const auto* tags = top.optional_object("tags")) {
        detail::JsonFieldReader r(*tags, "tags");
        s.noloadbalance = r.python_truthy("noloadbalance");
        s.nofailover = r.find("nofailover") != nullptr ? r.python_truthy("nofailover")
                                                       : nofailover_from_priority(r);
    }
    if (const auto* patroni = top.optional_object("patroni")) {
        detail::JsonFieldReader r(*patroni, "patroni");
        s.patroni_version = r.optional_string("version");
        s.scope = r.optional_string("scope");
        s.name = r.optional_string("name");
        if (r.error()) return ParseError{*r.error()};
    }
    if (top.error()) return ParseError{*top.error()};
    return s;
}

}  // namespace pgfront::health
