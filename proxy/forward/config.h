// What the forwarding core needs to know about this proxy: its identity (the
// endpoints it writes into Via and Record-Route, the secret its hashes are
// keyed with) and its forwarding policy.
//
// Ownership: plain values, copied into the Forwarder at construction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "forward/endpoint.h"
#include "forward/siphash.h"

namespace sipguard::forward {

struct ProxyIdentity {
  // The endpoints this proxy listens on, as peers reach them. At least one;
  // no unspecified, broadcast or multicast address. For each forwarded
  // request the first one matching the next hop's transport and address
  // family is written into Via (and, matching the sender's, into
  // Record-Route).
  std::vector<Endpoint> listen;
  // Host names that also mean this proxy in a Route header (a client whose
  // outbound proxy is "sip:sip.example.com;lr"). Compared case-insensitively.
  std::vector<std::string> aliases;
  // SipHash key for branches, To tags and backend scores. Must be random and
  // secret (unpredictable branches); proxies that share a backend pool should
  // share it, so they route a call's requests alike. All-zero is refused.
  SipKey secret{};
};

// What to do with a request when no backend is healthy.
enum class NoBackendPolicy : uint8_t {
  // Answer 503 Service Unavailable (with Retry-After): a real client fails
  // over at once (RFC 3263) instead of retransmitting into a void for 32 s.
  // The default.
  kReply503,
  // Say nothing: for a proxy that must never answer unknown sources.
  kDrop,
};

struct ForwardOptions {
  // Max-Forwards is capped at this and decremented (OpenSIPS
  // mf_process_maxfwd_header("10")); absent, it is added as this minus one.
  // A request whose value would reach 0 is answered 483. 1..255.
  uint32_t max_forwards = 10;
  // Add Record-Route to dialog-creating requests (INVITE, SUBSCRIBE, REFER,
  // NOTIFY), so in-dialog requests come back through the proxy.
  bool record_route = true;
  NoBackendPolicy no_backend = NoBackendPolicy::kReply503;
  // Retry-After seconds in a 503; 0 leaves the header out.
  uint32_t retry_after = 30;
  // Option tags this proxy supports (same list as the validator's); the
  // others in Proxy-Require are listed in a 420's Unsupported header.
  std::vector<std::string> supported_extensions;
};

}  // namespace sipguard::forward
