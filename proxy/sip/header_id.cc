#include "sip/header_id.h"

#include <array>

#include "sip/chars.h"

namespace sipguard::sip {
namespace {

struct Entry {
  std::string_view name;
  HeaderId id;
};

// Long names; compact forms are handled in LookupHeader.
constexpr std::array<Entry, 34> kNames = {{
    {"Via", HeaderId::kVia},
    {"From", HeaderId::kFrom},
    {"To", HeaderId::kTo},
    {"Call-ID", HeaderId::kCallId},
    {"CSeq", HeaderId::kCSeq},
    {"Contact", HeaderId::kContact},
    {"Max-Forwards", HeaderId::kMaxForwards},
    {"Content-Length", HeaderId::kContentLength},
    {"Content-Type", HeaderId::kContentType},
    {"Content-Encoding", HeaderId::kContentEncoding},
    {"Route", HeaderId::kRoute},
    {"Record-Route", HeaderId::kRecordRoute},
    {"User-Agent", HeaderId::kUserAgent},
    {"Server", HeaderId::kServer},
    {"Authorization", HeaderId::kAuthorization},
    {"Proxy-Authorization", HeaderId::kProxyAuthorization},
    {"WWW-Authenticate", HeaderId::kWwwAuthenticate},
    {"Proxy-Authenticate", HeaderId::kProxyAuthenticate},
    {"Expires", HeaderId::kExpires},
    {"Min-Expires", HeaderId::kMinExpires},
    {"Proxy-Require", HeaderId::kProxyRequire},
    {"Require", HeaderId::kRequire},
    {"Supported", HeaderId::kSupported},
    {"Unsupported", HeaderId::kUnsupported},
    {"Subject", HeaderId::kSubject},
    {"Event", HeaderId::kEvent},
    {"Allow-Events", HeaderId::kAllowEvents},
    {"Refer-To", HeaderId::kReferTo},
    {"Referred-By", HeaderId::kReferredBy},
    {"Session-Expires", HeaderId::kSessionExpires},
    {"Identity", HeaderId::kIdentity},
    {"Accept-Contact", HeaderId::kAcceptContact},
    {"Reject-Contact", HeaderId::kRejectContact},
    {"Request-Disposition", HeaderId::kRequestDisposition},
}};

HeaderId Compact(char c) {
  switch (c | 0x20) {  // ASCII lower-case
    case 'v': return HeaderId::kVia;
    case 'f': return HeaderId::kFrom;
    case 't': return HeaderId::kTo;
    case 'i': return HeaderId::kCallId;
    case 'm': return HeaderId::kContact;
    case 'l': return HeaderId::kContentLength;
    case 'c': return HeaderId::kContentType;
    case 'e': return HeaderId::kContentEncoding;
    case 'k': return HeaderId::kSupported;
    case 's': return HeaderId::kSubject;
    case 'o': return HeaderId::kEvent;
    case 'u': return HeaderId::kAllowEvents;
    case 'r': return HeaderId::kReferTo;
    case 'b': return HeaderId::kReferredBy;
    case 'x': return HeaderId::kSessionExpires;
    case 'y': return HeaderId::kIdentity;
    case 'a': return HeaderId::kAcceptContact;
    case 'd': return HeaderId::kRequestDisposition;
    case 'j': return HeaderId::kRejectContact;
    default: return HeaderId::kOther;
  }
}

}  // namespace

// Long names bucketed by their lower-case first letter, so a lookup compares
// against two or three candidates instead of all of them.
struct Buckets {
  std::array<std::array<uint8_t, 8>, 26> index{};  // positions in kNames
  std::array<uint8_t, 26> size{};
};

constexpr Buckets MakeBuckets() {
  Buckets b{};
  for (size_t i = 0; i < kNames.size(); ++i) {
    size_t letter = static_cast<size_t>((kNames[i].name[0] | 0x20) - 'a');
    b.index[letter][b.size[letter]++] = static_cast<uint8_t>(i);
  }
  return b;
}
constexpr Buckets kBuckets = MakeBuckets();

// Case-insensitive compare of a header name against a known name (letters
// and '-' only). Folding with |0x20 cannot make another token byte equal a
// letter or '-' (only letters fold onto letters; '-' only matches itself).
bool SameName(std::string_view known, std::string_view name) {
  for (size_t i = 0; i < known.size(); ++i) {
    if ((known[i] | 0x20) != (name[i] | 0x20)) return false;
  }
  return true;
}

HeaderId LookupHeader(std::string_view name) {
  if (name.empty() || !IsAlpha(name[0])) return HeaderId::kOther;
  if (name.size() == 1) return Compact(name[0]);
  size_t letter = static_cast<size_t>((name[0] | 0x20) - 'a');
  for (size_t k = 0; k < kBuckets.size[letter]; ++k) {
    const Entry& e = kNames[kBuckets.index[letter][k]];
    if (e.name.size() == name.size() && SameName(e.name, name)) return e.id;
  }
  return HeaderId::kOther;
}

std::string_view HeaderName(HeaderId id) {
  for (const Entry& e : kNames) {
    if (e.id == id) return e.name;
  }
  return {};
}

}  // namespace sipguard::sip
