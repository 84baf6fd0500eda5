// From, To, Contact, Route and Record-Route values: name-addr or addr-spec
// followed by header parameters (RFC 3261 §20.10, §25.1).
#pragma once

#include <cstdint>
#include <string_view>

#include "sip/uri.h"

namespace sipguard::sip {

enum class AddressForm : uint8_t {
  kFromTo,   // name-addr or addr-spec
  kContact,  // as kFromTo, or "*"
  kRoute,    // name-addr only (Route, Record-Route)
};

struct NameAddr {
  std::string_view display_name;  // quoted (with quotes) or token sequence; may be empty
  std::string_view uri_text;      // inside <...> or the bare addr-spec
  Uri uri;
  std::string_view params;  // header parameters after the address, from the first ';'
  std::string_view tag;     // tag= value, empty when absent
  bool star = false;        // Contact: *
  bool angle = false;       // written as <...>
};

enum class NameAddrError : uint8_t {
  kNone = 0,
  kBadDisplayName,  // unterminated quote, or a ',' or other non-token in an unquoted name
  kBadAngle,        // '<' without '>' or junk between '>' and the parameters
  kBadUri,          // the URI itself (see uri_error)
  kBadAddrSpec,     // bare addr-spec with '?' or ',' (needs <...>, RFC 3261 §20.10)
  kNeedsAngle,      // Route/Record-Route without <...>
  kBadParams,
  kBadStar,  // "*" with parameters or outside Contact
};

std::string_view NameAddrErrorText(NameAddrError e);

// Parses one element (already split off a comma list when the header allows
// several). On kBadUri, *uri_error says which part of the URI failed.
NameAddrError ParseNameAddr(std::string_view element, AddressForm form, NameAddr* out,
                            UriError* uri_error);

}  // namespace sipguard::sip
