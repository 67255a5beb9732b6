# Generates protocol/sqlstate.hpp from PostgreSQL's utils/errcodes.h (itself generated from
# errcodes.txt): one constant per ERRCODE_* macro, named in lower case without the prefix.
# Run as: cmake -DINPUT=<errcodes.h> -DOUTPUT=<sqlstate.hpp> -P gen_sqlstate.cmake
if(NOT INPUT OR NOT OUTPUT)
  message(FATAL_ERROR "gen_sqlstate.cmake: pass -DINPUT=<errcodes.h> -DOUTPUT=<header>")
endif()

file(STRINGS "${INPUT}" lines)
set(body "")
set(table "")
set(count 0)
set(define_re "^#define ERRCODE_([A-Z0-9_]+) MAKE_SQLSTATE\\('([0-9A-Z])','([0-9A-Z])','([0-9A-Z])','([0-9A-Z])','([0-9A-Z])'\\)$")
foreach(line IN LISTS lines)
  if(line MATCHES "^/\\* (Class .*) \\*/$")
    string(APPEND body "\n// ${CMAKE_MATCH_1}\n")
  elseif(line MATCHES "${define_re}")
    string(TOLOWER "${CMAKE_MATCH_1}" name)
    set(code "${CMAKE_MATCH_2}${CMAKE_MATCH_3}${CMAKE_MATCH_4}${CMAKE_MATCH_5}${CMAKE_MATCH_6}")
    string(APPEND body "inline constexpr std::string_view ${name} = \"${code}\";\n")
    string(APPEND table "    {\"${name}\", \"${code}\"},\n")
    math(EXPR count "${count} + 1")
  elseif(line MATCHES "ERRCODE_")
    message(FATAL_ERROR "gen_sqlstate.cmake: unrecognized line in ${INPUT}: ${line}")
  endif()
endforeach()
if(count LESS 200)
  message(FATAL_ERROR "gen_sqlstate.cmake: only ${count} codes found in ${INPUT}")
endif()

set(content "// Generated at build time by protocol/gen_sqlstate.cmake from ${INPUT}; do not edit.
// PostgreSQL's SQLSTATE codes as constants: sqlstate::invalid_password == \"28P01\".
#pragma once

#include <array>
#include <string_view>

namespace pgfront::protocol::sqlstate {
${body}
struct Entry {
    std::string_view name;
    std::string_view code;
};

// Every code in errcodes.h order (some codes have two names; the first is the main one).
inline constexpr std::array<Entry, ${count}> all = {{
${table}}};

// The name of a code (\"28P01\" -> \"invalid_password\"), or empty when unknown.
constexpr std::string_view name_of(std::string_view code) {
    for (const auto& entry : all) {
        if (entry.code == code) return entry.name;
    }
    return {};
}

}  // namespace pgfront::protocol::sqlstate
")

# Rewrite only on change, so dependents are not rebuilt for nothing.
file(WRITE "${OUTPUT}.tmp" "${content}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
