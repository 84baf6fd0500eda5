#include "sip/uri.h"

#include "sip/chars.h"
#include "sip/numbers.h"

namespace sipguard::sip {
namespace {

constexpr size_t kMaxHostLength = 255;

// Checks that every byte of `s` is allowed by `allowed` or is a valid %HH
// escape. An escape is never decoded here: esc01's "%25%34%31" stays three
// escapes, it does not become "A" (no recursive unescaping).
template <typename Pred>
bool AllEscapedOr(std::string_view s, Pred allowed) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
      i += 2;
    } else if (!allowed(s[i])) {
      return false;
    }
  }
  return true;
}

bool IsParamChar(char c) { return IsUnreserved(c) || IsParamUnreserved(c); }
bool IsHeaderChar(char c) { return IsUnreserved(c) || IsHnvUnreserved(c); }
bool ParseHostname(std::string_view s) {
  if (s.empty() || s.size() > kMaxHostLength) return false;
  if (s.back() == '.') s.remove_suffix(1);  // fully qualified form "example.com."
  std::string_view last_label;
  while (!s.empty()) {
    size_t dot = s.find('.');
    std::string_view label = s.substr(0, dot);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!IsAlnum(c) && c != '-') return false;
    }
    last_label = label;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
    if (s.empty()) return false;  // "a..b" leaves an empty label
  }
  // toplabel = ALPHA *( alphanum / "-" ): an all-digit name is a bad IPv4 address.
  return !last_label.empty() && IsAlpha(last_label.front());
}

// ;name[=value] sequences; `s` is empty or starts with ';'.
bool ParseUriParams(std::string_view s) {
  while (!s.empty()) {
    s.remove_prefix(1);  // ';'
    size_t end = s.find(';');
    std::string_view param = s.substr(0, end);
    size_t eq = param.find('=');
    std::string_view name = param.substr(0, eq);
    if (name.empty() || !AllEscapedOr(name, IsParamChar)) return false;
    if (eq != std::string_view::npos) {
      std::string_view value = param.substr(eq + 1);
      if (value.empty() || !AllEscapedOr(value, IsParamChar)) return false;
    }
    if (end == std::string_view::npos) break;
    s.remove_prefix(end);
  }
  return true;
}

// ?h=v&h=v; `s` starts with '?'.
bool ParseUriHeaders(std::string_view s) {
  s.remove_prefix(1);
  if (s.empty()) return false;
  while (true) {
    size_t end = s.find('&');
    std::string_view hdr = s.substr(0, end);
    size_t eq = hdr.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    if (!AllEscapedOr(hdr.substr(0, eq), IsHeaderChar)) return false;
    if (!AllEscapedOr(hdr.substr(eq + 1), IsHeaderChar)) return false;
    if (end == std::string_view::npos) return true;
    s.remove_prefix(end + 1);
  }
}

UriError ParseSipUri(std::string_view rest, Uri* uri) {
  size_t at = rest.find('@');
  std::string_view hostpart = rest;
  if (at != std::string_view::npos) {
    if (rest.find('@', at + 1) != std::string_view::npos) return UriError::kBadUser;
    std::string_view userinfo = rest.substr(0, at);
    hostpart = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    uri->user = userinfo.substr(0, colon);
    if (uri->user.empty()) return UriError::kBadUser;
    if (!AllEscapedOr(uri->user, [](char c) { return IsUnreserved(c) || IsUserUnreserved(c); })) {
      return UriError::kBadUser;
    }
    if (colon != std::string_view::npos) {
      uri->password = userinfo.substr(colon + 1);
      if (!AllEscapedOr(uri->password,
                        [](char c) { return IsUnreserved(c) || IsPasswordChar(c); })) {
        return UriError::kBadUser;
      }
    }
  }
  size_t q = hostpart.find('?');
  if (q != std::string_view::npos) {
    uri->headers = hostpart.substr(q);
    hostpart = hostpart.substr(0, q);
    if (!ParseUriHeaders(uri->headers)) return UriError::kBadHeaders;
  }
  size_t semi = hostpart.find(';');
  if (semi != std::string_view::npos) {
    uri->params = hostpart.substr(semi);
    hostpart = hostpart.substr(0, semi);
    if (!ParseUriParams(uri->params)) return UriError::kBadParams;
  }
  size_t port_colon;
  if (!hostpart.empty() && hostpart.front() == '[') {
    size_t close = hostpart.find(']');
    if (close == std::string_view::npos) return UriError::kBadHost;
    uri->host = hostpart.substr(0, close + 1);
    port_colon = close + 1;
    if (port_colon < hostpart.size() && hostpart[port_colon] != ':') return UriError::kBadHost;
  } else {
    port_colon = hostpart.find(':');
    uri->host = hostpart.substr(0, port_colon);
  }
  if (!ParseHost(uri->host, &uri->host_kind)) return UriError::kBadHost;
  if (port_colon < hostpart.size()) {
    uint64_t port = 0;
    if (!ParseDecimal(hostpart.substr(port_colon + 1), 65535, &port)) return UriError::kBadPort;
    uri->port = static_cast<uint16_t>(port);
  }
  return UriError::kNone;
}

}  // namespace

std::string_view UriErrorText(UriError e) {
  switch (e) {
    case UriError::kNone: return "no error";
    case UriError::kBadScheme: return "bad URI scheme";
    case UriError::kBadUser: return "bad URI user part";
    case UriError::kBadHost: return "bad URI host";
    case UriError::kBadPort: return "bad URI port";
    case UriError::kBadParams: return "bad URI parameter";
    case UriError::kBadHeaders: return "bad URI headers";
    case UriError::kBadChars: return "illegal character in URI";
  }
  return "bad URI";
}

bool IsIPv4Text(std::string_view s) {
  int parts = 0;
  while (true) {
    size_t dot = s.find('.');
    std::string_view part = s.substr(0, dot);
    uint64_t v = 0;
    if (part.size() > 3 || !ParseDecimal(part, 255, &v)) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts == 4;
}

bool IsIPv6Text(std::string_view s) {
  const size_t n = s.size();
  if (n < 2 || n > 64) return false;
  int groups = 0;
  bool compressed = false;
  size_t i = 0;
  if (s[0] == ':') {
    if (s[1] != ':') return false;
    compressed = true;
    i = 2;
  }
  while (i < n) {
    size_t j = i;
    while (j < n && s[j] != ':') ++j;
    std::string_view group = s.substr(i, j - i);
    if (group.find('.') != std::string_view::npos) {
      if (j != n || !IsIPv4Text(group)) return false;  // dotted tail must be last
      groups += 2;
      break;
    }
    if (group.empty() || group.size() > 4) return false;
    for (char c : group) {
      if (!IsHex(c)) return false;
    }
    ++groups;
    if (j == n) break;
    if (j + 1 < n && s[j + 1] == ':') {
      if (compressed) return false;
      compressed = true;
      i = j + 2;
      // RFC 5118 §4.10: "2001:db8:::192.0.2.1" is an ABNF artefact that must
      // be tolerated; only before a dotted IPv4 tail.
      if (i < n && s[i] == ':') {
        std::string_view tail = s.substr(i + 1);
        if (tail.find(':') != std::string_view::npos || !IsIPv4Text(tail)) return false;
        ++i;
      }
    } else {
      i = j + 1;
      if (i == n) return false;  // trailing single colon
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

bool ParseHost(std::string_view host, HostKind* kind) {
  *kind = HostKind::kNone;
  if (host.empty()) return false;
  if (host.front() == '[') {
    if (host.size() < 4 || host.back() != ']' || !IsIPv6Text(host.substr(1, host.size() - 2))) {
      return false;
    }
    *kind = HostKind::kIPv6;
    return true;
  }
  if (IsIPv4Text(host)) {
    *kind = HostKind::kIPv4;
    return true;
  }
  if (!ParseHostname(host)) return false;
  *kind = HostKind::kName;
  return true;
}

UriError ParseUri(std::string_view text, Uri* uri) {
  *uri = Uri{};
  size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos || !IsAlpha(text[0])) {
    return UriError::kBadScheme;
  }
  uri->scheme_text = text.substr(0, colon);
  for (char c : uri->scheme_text) {
    if (!IsAlnum(c) && c != '+' && c != '-' && c != '.') return UriError::kBadScheme;
  }
  std::string_view rest = text.substr(colon + 1);
  // sip/sips: every component checks its own characters, so a bad byte is
  // reported where it sits (user, host, params, headers).
  if (EqualsIgnoreCase(uri->scheme_text, "sip")) {
    uri->scheme = UriScheme::kSip;
  } else if (EqualsIgnoreCase(uri->scheme_text, "sips")) {
    uri->scheme = UriScheme::kSips;
  } else {
    uri->scheme = EqualsIgnoreCase(uri->scheme_text, "tel") ? UriScheme::kTel : UriScheme::kOther;
    uri->rest = rest;
    if (rest.empty()) return UriError::kBadChars;
    return AllEscapedOr(rest, IsUriChar) ? UriError::kNone : UriError::kBadChars;
  }
  return ParseSipUri(rest, uri);
}

}  // namespace sipguard::sip
