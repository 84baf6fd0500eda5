// URI parsing: sip, sips (RFC 3261 §19.1, §25.1), tel (RFC 3966), and any
// other absolute URI checked only for its scheme and legal characters.
// Zero-copy: the views point into the parsed string. Escapes are validated,
// never decoded in place.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipguard::sip {

enum class UriScheme : uint8_t { kSip, kSips, kTel, kOther };
enum class HostKind : uint8_t { kNone, kName, kIPv4, kIPv6 };

struct Uri {
  UriScheme scheme = UriScheme::kOther;
  std::string_view scheme_text;
  std::string_view user;      // escapes intact; empty when absent
  std::string_view password;  // escapes intact
  std::string_view host;      // an IPv6 reference keeps its brackets
  HostKind host_kind = HostKind::kNone;
  uint16_t port = 0;         // 0 = absent
  std::string_view params;   // ";a=b;lr" including the leading ';', or empty
  std::string_view headers;  // "?h=v&..." including the '?', or empty
  std::string_view rest;     // scheme-specific part of kTel/kOther URIs
};

enum class UriError : uint8_t {
  kNone = 0,
  kBadScheme,  // no "scheme:" prefix or an illegal scheme
  kBadUser,    // illegal character or escape in the userinfo
  kBadHost,    // missing or malformed host (incl. an unbracketed IPv6 address)
  kBadPort,
  kBadParams,   // empty or malformed ;parameter
  kBadHeaders,  // malformed ?headers
  kBadChars,    // white space or other illegal bytes in the URI
};

std::string_view UriErrorText(UriError e);

// Parses `text` (no surrounding white space or angle brackets) into *uri.
UriError ParseUri(std::string_view text, Uri* uri);

// Host syntax of RFC 3261 §25.1: hostname, IPv4address or IPv6reference
// ("[...]", tolerating RFC 5118 §4.10's "::" written ":::" before a dotted
// IPv4 tail). Sets *kind. Used for URIs, Via sent-by and received=.
bool ParseHost(std::string_view host, HostKind* kind);

// An IPv6 address without brackets (RFC 4291 text forms, RFC 5118 §4.10
// tolerance as above). Used by ParseHost and for Via received=.
bool IsIPv6Text(std::string_view s);
bool IsIPv4Text(std::string_view s);

}  // namespace sipguard::sip
