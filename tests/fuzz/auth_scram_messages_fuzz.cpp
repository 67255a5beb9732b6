// Fuzz target: the SCRAM message parsers and both exchanges on arbitrary input. Whatever
// parses must be consistent with the text (views inside it, AuthMessage parts where they
// belong); exchanges must fail with a value, never crash, and never succeed on garbage.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "auth/base64.hpp"
#include "auth/saslprep.hpp"
#include "auth/scram_client_exchange.hpp"
#include "auth/scram_messages.hpp"
#include "auth/scram_server_exchange.hpp"

using namespace pgfront::auth;

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

bool inside(std::string_view part, std::string_view whole) {
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

const ScramSecret& secret() {
    static const ScramSecret s =
        ScramSecret::derive("pencil", as_byte_view("salt-of-16-bytes"), 16);
    return s;
}

void parsers(std::string_view text) {
    if (auto m = parse_client_first_message(text)) {
        require(inside(m->bare, text) && inside(m->nonce, text) && inside(m->username, text));
        require(m->gs2_header.size() + m->bare.size() == text.size());
        require(!m->nonce.empty() && is_scram_printable(m->nonce));
    }
    if (auto m = parse_client_final_message(text)) {
        require(text.starts_with(m->without_proof));
        require(text.substr(m->without_proof.size()).starts_with(",p="));
        require(!m->nonce.empty());
    }
    if (auto m = parse_server_first_message(text)) {
        require(m->iterations >= 1 && !m->salt.empty() && is_scram_printable(m->nonce));
    }
    if (auto m = parse_server_final_message(text)) {
        require(m->is_error != m->error.empty() || m->is_error);
    }
    if (auto decoded = base64_decode(text)) {
        require(base64_decode(base64_encode(*decoded)) == *decoded);
    }
    const SaslPrepResult prepared = saslprep(text);
    if (prepared.outcome == SaslPrepOutcome::ascii ||
        prepared.outcome == SaslPrepOutcome::invalid_utf8 ||
        prepared.outcome == SaslPrepOutcome::prohibited) {
        require(prepared.password == text);
    }
}

void server_exchange(std::string_view text) {
    // As the first message.
    ScramServerExchange first(secret(), "srvnonce");
    (void)first.step(text);

    // As the final message after a valid first one: garbage never authenticates.
    ScramServerExchange server(secret(), "srvnonce");
    require(server.step("n,,n=,r=clinonce").ok());
    const auto r = server.step(text);
    if (r) {
        require(server.succeeded() && server.client_keys().has_value());
        // Only a correct proof can succeed; the fuzzer will not find one by chance, but if it
        // does, the recovered key must be the real one.
        require(scram_stored_key(server.client_keys()->client_key) == secret().stored_key);
    }
    require(server.finished());
}

void client_exchange(std::string_view text) {
    // Keys, not a password: the server's iteration count would otherwise make PBKDF2 run
    // for as long as the input says.
    ScramKeys keys;
    auto client = ScramClientExchange::with_keys(keys, "clinonce");
    const auto r = client.step(text);
    if (r) {
        require(r.value().starts_with("c=biws,r=clinonce"));
        (void)client.verify(text);
    }
    // Final message after a valid first one.
    auto verifier = ScramClientExchange::with_keys(keys, "clinonce");
    require(verifier.step("r=clinonceX,s=AAAA,i=1").ok());
    const auto error = verifier.verify(text);
    require(error.has_value() != verifier.succeeded());
}

// The first byte picks a shape, so that a random driver reaches past the first attribute:
// raw bytes, or the rest mapped onto SCRAM's alphabet behind a valid message prefix.
std::string shape(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return {};
    static constexpr std::string_view kPrefixes[] = {
        "",
        "n,,n=,r=",
        "y,,",
        "p=tls,,n=,r=",
        "n,a=x,n=,r=",
        "n,,m=",
        "c=",
        "c=biws,r=clinonce",
        "c=biws,r=clinoncesrvnonce,p=",
        "r=clinonceX",
        "r=clinonceX,s=AAAA,i=",
        "r=zz,s=AAAA,i=1",
        "m=x,r=clinonceX,s=AAAA,i=1",
        "v=",
        "e=",
    };
    static constexpr std::string_view kAlphabet = "=,abcnprsvimyAZ+/019\x80";
    const std::uint8_t mode = data[0];
    std::string out;
    if (mode >= 240) {
        // A well-formed client-final-message whose proof is the input: reaches the proof check.
        const std::string_view binding = mode % 2 == 0 ? "biws" : "eSws";
        std::vector<std::uint8_t> proof(data + 1, data + size);
        proof.resize(32);
        return "c=" + std::string(binding) + ",r=clinoncesrvnonce,p=" + base64_encode(proof);
    }
    if (mode < 64) {
        out.assign(reinterpret_cast<const char*>(data + 1), size - 1);
        return out;
    }
    out = kPrefixes[mode % std::size(kPrefixes)];
    for (std::size_t i = 1; i < size; ++i) out.push_back(kAlphabet[data[i] % kAlphabet.size()]);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string shaped = shape(data, size);
    const std::string_view text = shaped;
    parsers(text);
    server_exchange(text);
    client_exchange(text);
    return 0;
}
