// Parsing GET /cluster into ClusterMember entries.
#include "health/cluster_members.hpp"

#include <boost/json.hpp>

#include "health/api_url.hpp"
#include "health/detail/json_field_reader.hpp"

namespace pgfront::health {
namespace {

ParseResult<ClusterMember> parse_member(const boost::json::value& v, std::size_t index) {
    const std::string path = "members[" + std::to_string(index) + "]";
    if (!v.is_object()) return ParseError{path + ": expected an object"};
    detail::JsonFieldReader r(v.get_object(), path);
    ClusterMember m;
    m.name = r.required_string("name");
    m.host = r.optional_string("host");
    m.port = r.optional_port("port").value_or(0);
    m.api_url = api_base_url(r.optional_string("api_url"));
    m.role_name = r.optional_string("role");
    m.role = role_from_cluster(m.role_name);
    m.state = r.optional_string("state");
    m.timeline = r.optional_u64("timeline");
    // Patroni writes "lag": "unknown" when it has no position for a member.
    if (const auto* lag = r.find("lag"); lag != nullptr && !lag->is_string()) {
        m.lag = r.optional_u64("lag");
    }
    if (r.error()) return ParseError{*r.error()};
    return m;
}

}  // namespace

ParseResult<std::vector<ClusterMember>> parse_cluster_members(std::string_view body) {
    std::string json_error;
    auto doc = detail::parse_json(body, json_error);
    if (!doc) return ParseError{std::move(json_error)};
    if (!doc->is_object()) return ParseError{"expected a JSON object"};
    detail::JsonFieldReader top(doc->get_object(), "");
    const auto* members = top.required_array("members");
    if (members == nullptr) return ParseError{*top.error()};

    std::vector<ClusterMember> out;
    out.reserve(members->size());
    for (std::size_t i = 0; i < members->size(); ++i) {
        auto m = parse_member((*members)[i], i);
        if (!m) return ParseError{m.error()};
        out.push_back(std::move(m).value());
    }
    return out;
}

}  // namespace pgfront::health
