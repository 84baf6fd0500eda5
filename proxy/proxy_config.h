// ProxyConfig: everything sipguard-proxy is told, from /etc/sipguard/proxy.conf
// and from command-line flags (flags win; a repeatable flag given on the
// command line replaces the file's list rather than adding to it, so a
// one-line start never inherits a stray listen address).
//
//   [proxy]
//   listen = udp:0.0.0.0:5060        repeatable; udp: or tcp:, IPv6 as [::1]
//   backend = udp:192.0.2.10:5060    repeatable
//   trusted = 198.51.100.0/24        repeatable; never flood-limited or reported
//   max-forwards = 10                1..255
//   record-route = yes | no
//   no-backend = reply-503 | drop
//   workers = 0                      0 = one per core
//   log-target = journal             journal | stderr | /path/to/file
//   [flood]      limit = 100   window = 2s   capacity = 65536
//   [scanner]    user-agent = ...  (repeatable, added to the built-in list)
//                default-user-agents = yes   tells = yes
//   [auth-failure]  window = 60s  forbidden-limit = 5  challenge-limit = 10
//   [enumeration]   window = 60s  distinct-limit = 10
//   [events]     rate = 100   burst = 200   (events per second written)
//   [health]     interval = 5s
//   [tcp]        max-connections-per-source = 32  idle-timeout = 300s
//                header-timeout = 10s
//
// Every error names the file and line (or the flag) and what is wrong.
// Plain values; no I/O except what ConfigFile::Load does.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/cidr.h"
#include "common/config_file.h"
#include "common/result.h"
#include "detect/auth_failure.h"
#include "detect/enumeration.h"
#include "detect/flood.h"
#include "detect/scanner.h"
#include "forward/config.h"
#include "forward/endpoint.h"

namespace sipguard {

inline constexpr std::string_view kDefaultProxyConfigPath = "/etc/sipguard/proxy.conf";

struct ProxyConfig {
  std::vector<forward::Endpoint> listen;
  std::vector<forward::Endpoint> backends;
  CidrSet trusted;
  forward::ForwardOptions forward;
  detect::FloodConfig flood;
  detect::ScannerConfig scanner;
  detect::AuthFailureConfig auth_failure;
  detect::EnumerationConfig enumeration;
  std::string log_target = "journal";
  unsigned workers = 0;
  double event_rate = 100;
  double event_burst = 200;
  std::chrono::seconds health_interval{5};
  unsigned tcp_max_connections_per_source = 32;
  std::chrono::seconds tcp_idle_timeout{300};
  std::chrono::seconds tcp_header_timeout{10};
};

// "udp:192.0.2.1:5060", "tcp:[2001:db8::1]:5061", "udp:192.0.2.1" (port
// 5060). The Error names the text and what is wrong with it.
Result<forward::Endpoint> ParseEndpoint(std::string_view text);

// Applies every entry of `file` to *config; unknown sections and keys are
// errors (a typo must not silently fall back to a default).
Status ApplyConfigFile(const ConfigFile& file, ProxyConfig* config);

// Cross-field checks once file and flags are applied: at least one listen
// endpoint and one backend; trusted CIDRs copied into the detectors.
Status FinishProxyConfig(ProxyConfig* config);

}  // namespace sipguard
