// Endpoint: where a message comes from or goes to (address, port, transport),
// and how this proxy's own endpoints are written in SIP headers.
//
// Plain values; no allocation except ToHostPort(), which is for
// construction-time use (Forwarder pre-renders its own addresses).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/ip_address.h"

namespace sipguard::forward {

enum class Transport : uint8_t { kUdp, kTcp };

// "UDP" / "TCP": the Via sent-protocol transport token.
std::string_view ViaTransportToken(Transport t);
// "udp" / "tcp": the ;transport= URI parameter value.
std::string_view UriTransportParam(Transport t);
// The transport a Via transport token names (case-insensitive); false for
// anything but UDP and TCP (TLS, SCTP, WS, ... are not served statelessly).
bool TransportFromToken(std::string_view token, Transport* out);

struct Endpoint {
  IpAddress ip;
  uint16_t port = 5060;
  Transport transport = Transport::kUdp;

  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// Not unspecified, broadcast or multicast: an address a unicast reply may
// go to (a crafted Via must not turn the proxy into an amplifier).
bool IsSendableAddress(const IpAddress& ip);

// Longest text FormatIp writes, plus brackets.
inline constexpr size_t kMaxIpText = IpAddress::kMaxTextLength + 2;

// Writes the address as SIP writes a host: dotted quad, or "[v6]" when
// `brackets` (sent-by, URI host) and bare v6 otherwise (Via received=, RFC
// 3261 §25.1). Returns the length written into out[0..kMaxIpText). No
// allocation: it runs for every forwarded request.
size_t FormatIp(const IpAddress& ip, bool brackets, char* out);

// "192.0.2.1:5060" or "[2001:db8::1]:5060".
std::string ToHostPort(const Endpoint& e);

}  // namespace sipguard::forward
