// Fuzz target: every message view on arbitrary payloads. Whatever parses is iterated to the
// end and, where a writer exists, written back: the bytes must come out identical.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "protocol/authentication.hpp"
#include "protocol/backend_status.hpp"
#include "protocol/copy.hpp"
#include "protocol/error_fields.hpp"
#include "protocol/extended_query.hpp"
#include "protocol/function_call.hpp"
#include "protocol/message_check.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/simple_query.hpp"
#include "protocol/startup_messages.hpp"

using namespace pgfront::protocol;

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

// The writer's output must be exactly `type`, length, `payload`.
void require_round_trip(const ByteBuffer& written, char type, Bytes payload) {
    const std::size_t header = type == 0 ? 4 : 5;
    require(written.size() == header + payload.size());
    if (type != 0) require(written[0] == static_cast<std::byte>(type));
    for (std::size_t i = 0; i < payload.size(); ++i) require(written[header + i] == payload[i]);
}

std::vector<std::int16_t> codes(const FormatCodes& f) {
    std::vector<std::int16_t> out;
    for (std::size_t i = 0; i < f.size(); ++i) out.push_back(f[i]);
    return out;
}

std::vector<WireValue> values(const ValueList& list) {
    std::vector<WireValue> out(list.begin(), list.end());
    require(out.size() == list.size());
    return out;
}

void frontend_views(char type, Bytes payload) {
    ByteBuffer out;
    switch (type) {
        case 'Q':
            if (auto q = Query::parse(payload)) {
                write_query(out, q->sql);
                require_round_trip(out, type, payload);
            }
            break;
        case 'P':
            if (auto p = Parse::parse(payload)) {
                std::vector<std::uint32_t> oids;
                for (std::size_t i = 0; i < p->parameter_types.size(); ++i) {
                    oids.push_back(p->parameter_types[i]);
                }
                write_parse(out, p->statement, p->query, oids);
                require_round_trip(out, type, payload);
            }
            break;
        case 'B':
            if (auto b = Bind::parse(payload)) {
                write_bind(out, b->portal, b->statement, codes(b->parameter_formats),
                           values(b->parameters), codes(b->result_formats));
                require_round_trip(out, type, payload);
            }
            break;
        case 'D':
            if (auto d = Describe::parse(payload)) {
                write_describe(out, d->kind, d->name);
                require_round_trip(out, type, payload);
            }
            break;
        case 'C':
            if (auto c = Close::parse(payload)) {
                write_close(out, c->kind, c->name);
                require_round_trip(out, type, payload);
            }
            break;
        case 'E':
            if (auto e = Execute::parse(payload)) {
                write_execute(out, e->portal, e->max_rows);
                require_round_trip(out, type, payload);
            }
            break;
        case 'p':
            if (auto m = PasswordMessage::parse(payload)) {
                write_password_message(out, m->password);
                require_round_trip(out, type, payload);
                out.clear();
            }
            if (auto s = SaslInitialResponse::parse(payload)) {
                write_sasl_initial_response(out, s->mechanism, s->initial_response);
                require_round_trip(out, type, payload);
            }
            break;
        case 'F':
            if (auto f = FunctionCall::parse(payload)) (void)values(f->arguments);
            break;
        case 'f':
            if (auto f = CopyFail::parse(payload)) {
                write_copy_fail(out, f->message);
                require_round_trip(out, type, payload);
            }
            break;
        default:
            break;
    }
}

void backend_views(char type, Bytes payload) {
    ByteBuffer out;
    switch (type) {
        case 'R':
            if (auto r = AuthenticationRequest::parse(payload)) {
                std::vector<std::string_view> names(r->sasl_mechanisms().begin(),
                                                    r->sasl_mechanisms().end());
                if (r->code == AuthCode::sasl) {
                    write_authentication_sasl(out, names);
                    require_round_trip(out, type, payload);
                }
            }
            break;
        case 'E':
        case 'N':
            if (auto e = ErrorFields::parse(payload)) {
                std::size_t n = 0;
                for (const auto f : e->fields()) n += 2 + f.value.size();
                require(n + 1 == payload.size());
                (void)e->is_fatal();
            }
            break;
        case 'S':
            if (auto p = ParameterStatus::parse(payload)) {
                write_parameter_status(out, p->name, p->value);
                require_round_trip(out, type, payload);
            }
            break;
        case 'K':
            if (auto k = BackendKeyData::parse(payload); k && k->secret_key_u32()) {
                write_backend_key_data(out, k->process_id, *k->secret_key_u32());
                require_round_trip(out, type, payload);
            }
            break;
        case 'Z':
            if (auto z = ReadyForQuery::parse(payload)) {
                write_ready_for_query(out, z->status);
                require_round_trip(out, type, payload);
            }
            break;
        case 'T':
            if (auto t = RowDescription::parse(payload)) {
                std::vector<ColumnDescription> columns(t->columns.begin(), t->columns.end());
                require(columns.size() == t->columns.size());
                write_row_description(out, columns);
                require_round_trip(out, type, payload);
            }
            break;
        case 'D':
            if (auto d = DataRow::parse(payload)) {
                write_data_row(out, values(d->columns));
                require_round_trip(out, type, payload);
            }
            break;
        case 'C':
            if (auto c = CommandComplete::parse(payload)) {
                write_command_complete(out, c->tag);
                require_round_trip(out, type, payload);
            }
            break;
        case 'v':
            if (auto n = NegotiateProtocolVersion::parse(payload)) {
                std::vector<std::string_view> names(n->unrecognized_options.begin(),
                                                    n->unrecognized_options.end());
                write_negotiate_protocol_version(out, n->newest_minor, names);
                require_round_trip(out, type, payload);
            }
            break;
        case 'G':
        case 'H':
        case 'W':
            if (auto c = CopyResponse::parse(payload)) (void)codes(c->column_formats);
            break;
        case 'V':
            (void)FunctionCallResponse::parse(payload);
            break;
        case 'A':
            (void)NotificationResponse::parse(payload);
            break;
        case 't':
            (void)ParameterDescription::parse(payload);
            break;
        default:
            break;
    }
}

constexpr std::string_view frontend_types = "BCdcfDEHFPpQSX";
constexpr std::string_view backend_types = "RK23CdcGHWDIEVvnNAtS1sZT";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const Bytes payload(reinterpret_cast<const std::byte*>(data + 1), size - 1);
    const std::size_t pick = data[0] % (frontend_types.size() + backend_types.size() + 1);
    if (pick < frontend_types.size()) {
        const char type = frontend_types[pick];
        (void)is_well_formed(Sender::frontend, type, payload);
        frontend_views(type, payload);
    } else if (pick < frontend_types.size() + backend_types.size()) {
        const char type = backend_types[pick - frontend_types.size()];
        (void)is_well_formed(Sender::backend, type, payload);
        backend_views(type, payload);
    } else if (auto m = StartupMessage::parse(payload)) {
        std::vector<StartupParameter> params(m->parameters().begin(), m->parameters().end());
        ByteBuffer out;
        write_startup_message(out, params, m->protocol_version);
        require_round_trip(out, 0, payload.subspan(0));
        out.clear();
        write_negotiate_protocol_version(out, *m);
    }
    return 0;
}
