// Via header values (RFC 3261 §20.42, §18.2.2; RFC 3581 rport; RFC 5118
// bracketed IPv6 in received=).
#pragma once

#include <cstdint>
#include <string_view>

#include "sip/uri.h"

namespace sipguard::sip {

struct Via {
  std::string_view protocol;   // "SIP"
  std::string_view version;    // "2.0"
  std::string_view transport;  // any token: UDP, TCP, TLS, SCTP, WS, or unknown ones
  std::string_view host;       // sent-by host; IPv6 keeps brackets
  HostKind host_kind = HostKind::kNone;
  uint16_t port = 0;        // 0 = absent
  std::string_view branch;  // empty when absent (RFC 2543 peers)
  std::string_view received;
  std::string_view maddr;
  bool has_rport = false;
  uint16_t rport = 0;  // 0 = "rport" without a value
};

enum class ViaError : uint8_t {
  kNone = 0,
  kBadProtocol,  // sent-protocol is not name/version/transport tokens
  kBadSentBy,    // missing or malformed host[:port]
  kBadParams,    // empty or malformed ;parameter
  kBadBranch,    // branch is exactly the magic cookie "z9hG4bK" (RFC 4475 badbranch)
  kBadReceived,  // received= is not an IPv4/IPv6 address
  kBadRport,
};

std::string_view ViaErrorText(ViaError e);

// Parses one via-parm (one element of a Via header's comma list).
ViaError ParseVia(std::string_view element, Via* via);

}  // namespace sipguard::sip
