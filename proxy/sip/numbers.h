// Bounded decimal parsing for SIP's numeric fields (CSeq, Max-Forwards,
// Content-Length, Expires, ports, status codes).
#pragma once

#include <cstdint>
#include <string_view>

namespace sipguard::sip {

// Parses 1*DIGIT (leading zeros allowed, as RFC 4475 wsinv's "0068") into
// *out. False if `s` is empty, holds anything but digits, or exceeds `max`.
// Overflow-safe for any input length as long as max < 2^60.
inline bool ParseDecimal(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > max) return false;
  }
  *out = v;
  return true;
}

}  // namespace sipguard::sip
