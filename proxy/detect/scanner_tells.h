// Cheap, specific signs that a request was built by a scanning tool, beyond
// its User-Agent (which any tool can change). Each function looks at one
// value, allocates nothing, and is exact about what it accepts; scanner.h
// combines them.
#pragma once

#include <string_view>

namespace sipguard::detect {

// sipvicious' From tag. Every sipvicious tool (svmap, svwar, svcrack) builds
// its tag as hex(data + "\x01" + str(random 32-bit number)), e.g.
// "3130303101333631333335363033" = hex("1001\x01" "3613335603"), so that it
// can recognise its own probes in the answers. True when `tag` is an even
// number of hex digits that decode to 1..128 printable ASCII bytes, one 0x01
// byte, then 8..10 decimal digits of a number < 2^32 (a random 32-bit number
// has fewer than 8 digits 0.23% of the time: those tags are missed, the rest
// of the scan is not). Honest tags are random hex or tokens; one decoding to
// exactly that shape has odds below 1e-11.
bool IsSipviciousTag(std::string_view tag);

// sipvicious' placeholder host: its requests carry "sip:123@1.1.1.1" as
// Contact (svwar, svcrack) and "sip:100@1.1.1.1" as From (svmap), whatever
// the scanner's real address. 1.1.1.1 is a public DNS resolver; no phone or
// server uses it as its own SIP address. Exact match on the host text.
bool IsPlaceholderHost(std::string_view host);

// Case-insensitive (ASCII) substring search. `lower_needle` must already be
// lower case and not empty.
bool ContainsNoCase(std::string_view haystack, std::string_view lower_needle);

}  // namespace sipguard::detect
