// The admin API's JSON answers as proxyctl's text: one function per view. They throw
// (std::exception) when the answer lacks what they print, which proxyctl reports as an
// unexpected answer rather than printing half a table.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace pgfront::proxyctl {

std::string status_text(const boost::json::value& status);  // GET /status
std::string nodes_text(const boost::json::value& nodes);    // GET /nodes
std::string pools_text(const boost::json::value& pools);    // GET /pools
std::string clients_text(const boost::json::value& clients, const std::string& only_node = {});  // GET /clients
std::string servers_text(const boost::json::value& servers, const std::string& only_node = {});  // GET /servers
std::string vip_text(const boost::json::value& vip);        // GET /vip

// What still uses a node, from GET /nodes/NAME: "2 clients, 1 active and 3 idle server
// connections"; "unknown (the proxy did not answer)" when pgfront could not tell.
std::string node_usage_text(const boost::json::value& node);
// True when GET /nodes/NAME shows no client and no server connection on the node.
bool node_unused(const boost::json::value& node);

}  // namespace pgfront::proxyctl
