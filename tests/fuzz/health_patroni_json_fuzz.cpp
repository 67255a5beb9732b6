// Fuzzes health/'s parsers of untrusted REST input: GET /patroni and GET /cluster bodies and
// API URLs. The first byte picks raw input or input spliced into a valid Patroni answer, so
// the smoke driver's random bytes also reach the field-level checks.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "health/api_url.hpp"
#include "health/cluster_members.hpp"
#include "health/patroni_status.hpp"

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

void parse_everything(std::string_view text) {
    using namespace pgfront::health;
    auto status = parse_patroni_status(text);
    check(status.ok() || !status.error().empty());
    if (status.ok()) check(!status.value().state.empty() || text.find("\"state\"") != text.npos);
    auto members = parse_cluster_members(text);
    check(members.ok() || !members.error().empty());
    auto url = parse_api_url(text);
    if (url.ok()) check(url.value().port != 0 && !url.value().host.empty());
    (void)api_base_url(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
        case 0:
            parse_everything(input);
            break;
        case 1:  // a value where Patroni puts the role, timeline, xlog or tags
            for (const char* key : {"role", "timeline", "xlog", "tags", "patroni", "pause"}) {
                parse_everything(std::string(R"({"state":"running","role":"master",")") + key +
                                 "\":" + std::string(input) + "}");
            }
            break;
        case 2:  // a member of GET /cluster
            parse_everything(std::string(R"({"members":[{"name":"pg1","port":5432,)") +
                             std::string(input) + "}]}");
            break;
        default:  // an API URL
            parse_everything("http://" + std::string(input));
            break;
    }
    return 0;
}
