#include "sip/name_addr.h"

#include "sip/chars.h"
#include "sip/values.h"

namespace sipguard::sip {

std::string_view NameAddrErrorText(NameAddrError e) {
  switch (e) {
    case NameAddrError::kNone: return "no error";
    case NameAddrError::kBadDisplayName: return "bad display name";
    case NameAddrError::kBadAngle: return "unbalanced or misplaced angle brackets";
    case NameAddrError::kBadUri: return "bad URI";
    case NameAddrError::kBadAddrSpec: return "URI with '?' or ',' must be enclosed in <>";
    case NameAddrError::kNeedsAngle: return "address must be enclosed in <>";
    case NameAddrError::kBadParams: return "bad header parameter";
    case NameAddrError::kBadStar: return "misplaced '*'";
  }
  return "bad address";
}

NameAddrError ParseNameAddr(std::string_view s, AddressForm form, NameAddr* out,
                            UriError* uri_error) {
  *out = NameAddr{};
  *uri_error = UriError::kNone;
  s = TrimLws(s);
  if (s == "*") {
    if (form != AddressForm::kContact) return NameAddrError::kBadStar;
    out->star = true;
    return NameAddrError::kNone;
  }

  // Display name: a quoted string, or tokens separated by LWS, ending at '<'.
  // Reaching ':' first means there is no display name: the element is a bare
  // addr-spec (a URI scheme ends in ':'; tokens cannot hold one).
  size_t i = 0;
  size_t after_display = 0;
  bool angle = false;
  if (!s.empty() && s[0] == '"') {
    if (!SkipQuotedString(s, 0, &after_display)) return NameAddrError::kBadDisplayName;
    out->display_name = s.substr(0, after_display);
    i = after_display;
    while (i < s.size() && IsLws(s[i])) ++i;
    if (i >= s.size() || s[i] != '<') return NameAddrError::kBadAngle;
    angle = true;
  } else {
    while (i < s.size() && (IsTokenChar(s[i]) || IsLws(s[i]))) ++i;
    if (i < s.size() && s[i] == '<') {
      // No LWS before '<' is accepted (RFC 4475 lwsdisp, a known grammar bug).
      out->display_name = TrimLws(s.substr(0, i));
      angle = true;
    } else if (i < s.size() && s[i] == ':' &&
               s.substr(0, i).find_first_of(" \t\r\n") == std::string_view::npos) {
      i = 0;  // addr-spec: scheme ':' ...
    } else {
      return NameAddrError::kBadDisplayName;  // e.g. "Bell, Alexander <...>" (RFC 4475 baddn)
    }
  }

  std::string_view rest;
  if (angle) {
    size_t close = s.find('>', i);
    if (close == std::string_view::npos) return NameAddrError::kBadAngle;
    out->uri_text = s.substr(i + 1, close - i - 1);
    out->angle = true;
    rest = s.substr(close + 1);
    // Only LWS may separate '>' from the parameters.
    size_t j = 0;
    while (j < rest.size() && IsLws(rest[j])) ++j;
    if (j < rest.size() && rest[j] != ';') return NameAddrError::kBadAngle;
  } else {
    if (form == AddressForm::kRoute) return NameAddrError::kNeedsAngle;
    // addr-spec form: the URI ends at the first ';' (what follows are header
    // parameters, RFC 3261 §20.10) and must not hold '?' or ','.
    size_t semi = s.find(';');
    out->uri_text = TrimLws(s.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : s.substr(semi);
    if (out->uri_text.find_first_of("?,") != std::string_view::npos) {
      return NameAddrError::kBadAddrSpec;
    }
  }
  *uri_error = ParseUri(out->uri_text, &out->uri);
  if (*uri_error != UriError::kNone) return NameAddrError::kBadUri;

  out->params = rest;
  bool ok = ParseParams(rest, [out](std::string_view name, std::string_view value) {
    if (EqualsIgnoreCase(name, "tag")) {
      if (value.empty() || value.front() == '"') return false;
      out->tag = value;
    }
    return true;
  });
  return ok ? NameAddrError::kNone : NameAddrError::kBadParams;
}

}  // namespace sipguard::sip
