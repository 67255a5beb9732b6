// The one translation unit that compiles Boost.JSON: Debian 12 ships no libboost_json, so
// the library is built header-only here and linked through pgfront_health.
#include <boost/json/src.hpp>
