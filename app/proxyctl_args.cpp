// proxyctl's command-line parsing (see proxyctl_args.hpp).
#include "app/proxyctl_args.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "app/proxyctl_duration.hpp"

namespace pgfront::proxyctl {

namespace {

constexpr std::array<std::pair<std::string_view, Command>, 12> command_names{{
    {"status", Command::status},
    {"nodes", Command::nodes},
    {"pools", Command::pools},
    {"clients", Command::clients},
    {"servers", Command::servers},
    {"vip", Command::vip},
    {"drain", Command::drain},
    {"undrain", Command::undrain},
    {"pause", Command::pause},
    {"resume", Command::resume},
    {"reload", Command::reload},
    {"kill-client", Command::kill_client},
}};

ParsedArguments usage_error(std::string message) {
    ParsedArguments parsed;
    parsed.kind = ParsedArguments::Kind::usage_error;
    parsed.error = std::move(message);
    return parsed;
}

std::optional<std::uint64_t> positive_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value == 0) return std::nullopt;
    return value;
}

// The command's own words (after its name): how many it takes and what they mean.
std::string bind_operands(Invocation& invocation, const std::vector<std::string>& operands) {
    const auto name = std::string(to_string(invocation.command));
    switch (invocation.command) {
    case Command::drain:
    case Command::undrain:
        if (operands.size() != 1) return name + " needs exactly one NODE";
        invocation.node = operands[0];
        return {};
    case Command::pause:
    case Command::resume:
        if (operands.size() > 1) return name + " takes at most one DATABASE";
        if (!operands.empty()) invocation.database = operands[0];
        return {};
    case Command::kill_client: {
        if (operands.size() != 1) return "kill-client needs exactly one client ID (see `proxyctl clients`)";
        const auto id = positive_number(operands[0]);
        if (!id) return "kill-client: '" + operands[0] + "' is not a client ID (a positive number)";
        invocation.client_id = *id;
        return {};
    }
    default:
        if (!operands.empty()) return name + " takes no arguments, got '" + operands[0] + "'";
        return {};
    }
}

}  // namespace

std::string_view to_string(Command command) {
    for (const auto& [name, value] : command_names)
        if (value == command) return name;
    return "?";
}

std::string AdminUrl::to_string() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<AdminUrl> parse_admin_url(std::string_view text, std::string& error) {
    const auto original = std::string(text);
    if (const auto scheme = text.find("://"); scheme != std::string_view::npos) {
        if (text.substr(0, scheme) != "http") {
            error = "admin URL '" + original + "': only http:// is supported";
            return std::nullopt;
        }
        text.remove_prefix(scheme + 3);
    }
    if (!text.empty() && text.back() == '/') text.remove_suffix(1);
    AdminUrl url;
    std::string_view port_text;
    bool has_port = false;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) {
            error = "admin URL '" + original + "': unclosed '[' around an IPv6 address";
            return std::nullopt;
        }
        url.host = std::string(text.substr(1, close - 1));
        text.remove_prefix(close + 1);
        if (!text.empty() && text.front() != ':') {
            error = "admin URL '" + original + "': expected ':port' after the IPv6 address";
            return std::nullopt;
        }
        if (!text.empty()) {
            has_port = true;
            port_text = text.substr(1);
        }
    } else {
        const auto colon = text.find(':');
        url.host = std::string(text.substr(0, colon));
        if (colon != std::string_view::npos) {
            has_port = true;
            port_text = text.substr(colon + 1);
        }
    }
    if (url.host.empty() || url.host.find_first_of("/?#@ ") != std::string::npos) {
        error = "admin URL '" + original + "': expected http://HOST:PORT";
        return std::nullopt;
    }
    if (has_port) {
        const auto port = positive_number(port_text);
        if (!port || *port > 65535) {
            error = "admin URL '" + original + "': '" + std::string(port_text) + "' is not a port";
            return std::nullopt;
        }
        url.port = static_cast<int>(*port);
    }
    return url;
}

ParsedArguments parse_arguments(const std::vector<std::string>& arguments, const Environment& environment) {
    ParsedArguments parsed;
    auto& invocation = parsed.invocation;
    std::string admin = environment.admin.empty() ? default_admin_url : environment.admin;
    invocation.token = environment.token;
    std::optional<std::string> timeout_text;
    bool help = false, version = false;
    std::vector<std::string> words;

    bool options_ended = false;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const auto& arg = arguments[i];
        if (options_ended || arg.empty() || arg[0] != '-' || arg == "-") {
            words.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_ended = true;
            continue;
        }
        // --name VALUE and --name=VALUE
        const auto eq = arg.find('=');
        const auto name = arg.substr(0, eq);
        auto value = [&]() -> std::optional<std::string> {
            if (eq != std::string::npos) return arg.substr(eq + 1);
            if (i + 1 < arguments.size()) return arguments[++i];
            return std::nullopt;
        };
        if (name == "--admin" || name == "--token" || name == "--timeout") {
            auto v = value();
            if (!v) return usage_error(name + " needs a value");
            if (name == "--admin") admin = *v;
            else if (name == "--token") invocation.token = *v;
            else timeout_text = *v;
            continue;
        }
        if (eq != std::string::npos) return usage_error(name + " takes no value");
        if (arg == "--json") invocation.json = true;
        else if (arg == "--wait") invocation.wait = true;
        else if (arg == "-h" || arg == "--help") help = true;
        else if (arg == "--version") version = true;
        else return usage_error("unknown option '" + arg + "'");
    }
    if (help) {
        parsed.kind = ParsedArguments::Kind::help;
        return parsed;
    }
    if (version) {
        parsed.kind = ParsedArguments::Kind::version;
        return parsed;
    }

    std::string error;
    const auto url = parse_admin_url(admin, error);
    if (!url) return usage_error(error);
    invocation.admin = *url;

    if (words.empty()) return usage_error("no command given");
    bool known = false;
    for (const auto& [command_name, command] : command_names) {
        if (words[0] == command_name) {
            invocation.command = command;
            known = true;
        }
    }
    if (!known) return usage_error("unknown command '" + words[0] + "'");
    error = bind_operands(invocation, std::vector<std::string>(words.begin() + 1, words.end()));
    if (!error.empty()) return usage_error(error);

    if (invocation.wait && invocation.command != Command::drain) return usage_error("--wait applies only to drain");
    if (invocation.command == Command::drain) invocation.timeout = default_drain_timeout;
    else if (invocation.command == Command::pause) invocation.timeout = default_pause_timeout;
    if (timeout_text) {
        if (invocation.command == Command::drain && !invocation.wait)
            return usage_error("drain: --timeout applies only with --wait");
        if (invocation.command != Command::drain && invocation.command != Command::pause)
            return usage_error("--timeout applies only to drain --wait and pause");
        const auto timeout = parse_duration(*timeout_text);
        if (!timeout) return usage_error("--timeout '" + *timeout_text + "' is not a duration (e.g. 500ms, 30s, 5m, 1h)");
        invocation.timeout = *timeout;
    }
    parsed.kind = ParsedArguments::Kind::run;
    return parsed;
}

}  // namespace pgfront::proxyctl
