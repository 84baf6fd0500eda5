// The validator: RFC 3261 syntax and semantics checks for one parsed message,
// a superset of OpenSIPS sipmsg_validate() and Kamailio's sanity module.
//
// It decides what a stateless validating proxy does: forward, reply (400,
// 416, 420, 483, 501, 505) or drop. It drops instead of replying when no
// reply can be routed (no parsable top Via), when the message is a response
// or an ACK (never answered), and when the header section itself cannot be
// split (OpenSIPS retcode -2). It is stricter than both peers where that is
// safer, and more liberal where RFC 4475 says a message is valid (trailing
// datagram bytes after Content-Length are ignored, unknown auth schemes and
// unknown methods pass).
//
// Thread-safety: stateless; Validate may be called concurrently.
// Cost: no allocation; each header value is scanned a bounded number of times.
#pragma once

#include <span>
#include <string_view>

#include "sip/message.h"
#include "sip/verdict.h"

namespace sipguard::sip {

struct ValidatorOptions {
  Transport transport = Transport::kDatagram;
  // Option tags this proxy implements; any other in Proxy-Require gets 420.
  std::span<const std::string_view> supported_extensions;
};

inline constexpr size_t kMaxVias = 100;
inline constexpr size_t kMaxCallIdLength = 512;

// True for the methods of RFC 3261 and its common extensions (case-sensitive,
// as SIP methods are).
bool IsKnownSipMethod(std::string_view method);

// Validates `msg` as produced by Parse(), which returned `parse_error`.
Verdict Validate(const Message& msg, ParseError parse_error, const ValidatorOptions& options);

// Parse() then Validate(): the usual entry point. *msg is filled as by Parse.
Verdict ParseAndValidate(std::string_view data, const ValidatorOptions& options, Message* msg);

}  // namespace sipguard::sip
