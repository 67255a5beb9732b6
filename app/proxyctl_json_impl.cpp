// Boost.JSON's implementation, compiled once for proxyctl (Debian 12 ships no compiled library).
#include <boost/json/src.hpp>
