// Well-known SIP header names, including the compact forms of RFC 3261 §7.3.3
// and its extensions (v f t i m l c k s e o u r b x y a d j).
#pragma once

#include <cstdint>
#include <string_view>

namespace sipguard::sip {

enum class HeaderId : uint8_t {
  kOther = 0,  // any header we do not interpret; forwarded unchanged
  kVia,
  kFrom,
  kTo,
  kCallId,
  kCSeq,
  kContact,
  kMaxForwards,
  kContentLength,
  kContentType,
  kContentEncoding,
  kRoute,
  kRecordRoute,
  kUserAgent,
  kServer,
  kAuthorization,
  kProxyAuthorization,
  kWwwAuthenticate,
  kProxyAuthenticate,
  kExpires,
  kMinExpires,
  kProxyRequire,
  kRequire,
  kSupported,
  kUnsupported,
  kSubject,
  kEvent,
  kAllowEvents,
  kReferTo,
  kReferredBy,
  kSessionExpires,
  kIdentity,
  kAcceptContact,
  kRejectContact,
  kRequestDisposition,
  kCount  // number of ids; not a header
};

// Identifies a header by name, case-insensitively, compact forms included.
// Unknown names give kOther. Never fails; cost is one switch and a compare.
HeaderId LookupHeader(std::string_view name);

// The canonical long name ("Call-ID" for kCallId); "" for kOther.
std::string_view HeaderName(HeaderId id);

}  // namespace sipguard::sip
