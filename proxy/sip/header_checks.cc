#include "sip/header_checks.h"

#include "sip/chars.h"
#include "sip/numbers.h"
#include "sip/uri.h"
#include "sip/validator.h"
#include "sip/values.h"
#include "sip/via.h"

namespace sipguard::sip {
namespace {

constexpr uint64_t kMaxUint32 = 0xffffffffULL;

HeaderCheck Fail(Check c, std::string_view detail = {}) { return {c, detail}; }

size_t SkipLws(std::string_view s, size_t i) {
  while (i < s.size() && IsLws(s[i])) ++i;
  return i;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
bool IsQValue(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return false;
  if (q.size() == 1) return true;
  if (q[1] != '.' || q.size() > 5) return false;
  for (char c : q.substr(2)) {
    if (!IsDigit(c) || (q[0] == '1' && c != '0')) return false;
  }
  return true;
}

}  // namespace

bool IsBroadcastHost(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (IsIPv4Text(host)) {
    // Compare values, not text: "000.000.000.000" is 0.0.0.0.
    uint64_t parts[4] = {};
    for (uint64_t& part : parts) {
      size_t dot = host.find('.');
      ParseDecimal(host.substr(0, dot), 255, &part);
      host.remove_prefix(dot == std::string_view::npos ? host.size() : dot + 1);
    }
    bool all_zero = (parts[0] | parts[1] | parts[2] | parts[3]) == 0;
    bool all_ones = (parts[0] & parts[1] & parts[2] & parts[3]) == 255;
    return all_zero || all_ones;
  }
  // The unspecified IPv6 address in any spelling: "::", "0:0:0:0:0:0:0:0",
  // "::0.0.0.0". Every digit is zero.
  return IsIPv6Text(host) && host.find_first_not_of("0:.") == std::string_view::npos;
}

HeaderCheck CheckVia(std::string_view value, size_t* count) {
  ListSplitter list(value);
  std::string_view element;
  while (list.Next(&element)) {
    if (++*count > kMaxVias) return Fail(Check::kTooManyVias);
    Via via;
    ViaError e = ParseVia(element, &via);
    if (e == ViaError::kBadBranch) return Fail(Check::kBadBranch);
    if (e != ViaError::kNone) return Fail(Check::kBadVia, ViaErrorText(e));
    if (!EqualsIgnoreCase(via.protocol, "SIP") || via.version != "2.0") {
      return Fail(Check::kBadViaVersion);
    }
    if (IsBroadcastHost(via.host) || (!via.received.empty() && IsBroadcastHost(via.received))) {
      return Fail(Check::kBroadcastVia);
    }
  }
  return list.error() ? Fail(Check::kBadVia, "empty or unbalanced list element") : HeaderCheck{};
}

HeaderCheck CheckAddressList(std::string_view value, AddressForm form, bool single, Check bad,
                             Check bad_user, Check bad_host) {
  ListSplitter list(value);
  std::string_view element;
  size_t n = 0;
  while (list.Next(&element)) {
    if (single && ++n > 1) return Fail(bad, "more than one address");
    NameAddr addr;
    UriError uri_error;
    NameAddrError e = ParseNameAddr(element, form, &addr, &uri_error);
    if (e == NameAddrError::kBadUri) {
      if (uri_error == UriError::kBadUser) return Fail(bad_user);
      if (uri_error == UriError::kBadHost) return Fail(bad_host);
      return Fail(bad, UriErrorText(uri_error));
    }
    if (e != NameAddrError::kNone) return Fail(bad, NameAddrErrorText(e));
  }
  return list.error() ? Fail(bad, "empty or unbalanced list element") : HeaderCheck{};
}

HeaderCheck CheckContact(std::string_view value, std::string_view method,
                         const HeaderField* expires, size_t contact_headers) {
  ListSplitter list(value);
  std::string_view element;
  size_t n = 0;
  bool star = false;
  while (list.Next(&element)) {
    ++n;
    NameAddr addr;
    UriError uri_error;
    NameAddrError e = ParseNameAddr(element, AddressForm::kContact, &addr, &uri_error);
    if (e == NameAddrError::kBadUri) return Fail(Check::kBadContact, UriErrorText(uri_error));
    if (e != NameAddrError::kNone) return Fail(Check::kBadContact, NameAddrErrorText(e));
    star |= addr.star;
    bool params_ok = ParseParams(addr.params, [](std::string_view name, std::string_view v) {
      if (EqualsIgnoreCase(name, "q")) return IsQValue(v);
      uint64_t seconds = 0;
      if (EqualsIgnoreCase(name, "expires")) return ParseDecimal(v, kMaxUint32, &seconds);
      return true;
    });
    if (!params_ok) return Fail(Check::kBadContact, "bad q or expires parameter");
  }
  if (list.error()) return Fail(Check::kBadContact, "empty or unbalanced list element");
  if (star) {
    uint64_t secs = 1;
    if (n > 1 || contact_headers > 1) return Fail(Check::kStarContact, "'*' with other contacts");
    if (method != "REGISTER") return Fail(Check::kStarContact, "'*' outside REGISTER");
    if (expires == nullptr || !ParseDecimal(expires->value, kMaxUint32, &secs) || secs != 0) {
      return Fail(Check::kStarContact, "'*' without Expires: 0");
    }
  }
  return {};
}

HeaderCheck CheckCallId(std::string_view value) {
  if (value.empty() || value.size() > kMaxCallIdLength) return Fail(Check::kBadCallId, "length");
  size_t at = value.find('@');
  if (at == 0 || at + 1 == value.size() ||
      (at != std::string_view::npos && value.find('@', at + 1) != std::string_view::npos)) {
    return Fail(Check::kBadCallId, "bad '@'");
  }
  for (char c : value) {
    if (!IsWordChar(c) && c != '@') return Fail(Check::kBadCallId, "illegal character");
  }
  return {};
}

HeaderCheck CheckCSeq(std::string_view value, std::string_view method, CSeqValue* out) {
  size_t i = 0;
  while (i < value.size() && IsDigit(value[i])) ++i;
  std::string_view digits = value.substr(0, i);
  size_t m = SkipLws(value, i);
  if (digits.empty() || m == i) return Fail(Check::kBadCSeq, "expected number and method");
  out->method = value.substr(m);
  if (!IsToken(out->method)) return Fail(Check::kBadCSeq, "method is not a token");
  uint64_t number = 0;
  if (!ParseDecimal(digits, kMaxUint32, &number)) return Fail(Check::kCSeqOutOfRange);
  out->number = static_cast<uint32_t>(number);
  if (!method.empty() && out->method != method) {
    return Fail(IsToken(method) && !IsKnownSipMethod(method) ? Check::kUnknownMethodMismatch
                                                             : Check::kCSeqMethodMismatch);
  }
  return {};
}

HeaderCheck CheckMaxForwards(std::string_view value, int* out) {
  uint64_t v = 0;
  if (!ParseDecimal(value, 255, &v)) return Fail(Check::kBadMaxForwards);
  *out = static_cast<int>(v);
  return {};
}

HeaderCheck CheckExpires(std::string_view value) {
  uint64_t v = 0;
  return ParseDecimal(value, kMaxUint32, &v) ? HeaderCheck{} : Fail(Check::kBadExpires);
}

HeaderCheck CheckContentType(std::string_view value) {
  size_t i = 0;
  while (i < value.size() && IsTokenChar(value[i])) ++i;
  if (i == 0) return Fail(Check::kBadContentType, "no media type");
  i = SkipLws(value, i);
  if (i >= value.size() || value[i] != '/') return Fail(Check::kBadContentType, "no '/'");
  i = SkipLws(value, i + 1);
  size_t sub = i;
  while (i < value.size() && IsTokenChar(value[i])) ++i;
  if (i == sub) return Fail(Check::kBadContentType, "no media subtype");
  bool ok = ParseParams(value.substr(i), [](std::string_view, std::string_view) { return true; });
  return ok ? HeaderCheck{} : Fail(Check::kBadContentType, "bad parameter");
}

HeaderCheck CheckCredentials(std::string_view value) {
  size_t i = 0;
  while (i < value.size() && IsTokenChar(value[i])) ++i;
  std::string_view scheme = value.substr(0, i);
  size_t p = SkipLws(value, i);
  if (scheme.empty() || p == i || p == value.size()) {
    return Fail(Check::kBadAuthorization, "expected scheme and parameters");
  }
  bool is_digest = EqualsIgnoreCase(scheme, "Digest");
  // token68 credentials (RFC 7235 §2.1; Bearer of RFC 8898): one token of
  // base64-ish characters, "=" padding only at its end.
  std::string_view rest = TrimLws(value.substr(p));
  size_t body = rest.find_first_not_of(
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");
  if (!is_digest && body != 0 &&
      (body == std::string_view::npos ||
       rest.find_first_not_of('=', body) == std::string_view::npos)) {
    return {};
  }
  // auth-param *(COMMA auth-param), auth-param = name EQUAL (token / quoted-string)
  unsigned seen = 0;  // username, realm, nonce, uri, response
  constexpr std::string_view kRequired[] = {"username", "realm", "nonce", "uri", "response"};
  ListSplitter list(value.substr(p));
  std::string_view param;
  while (list.Next(&param)) {
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) {
      return Fail(Check::kBadAuthorization, "parameter without '='");
    }
    std::string_view name = TrimLws(param.substr(0, eq));
    std::string_view v = TrimLws(param.substr(eq + 1));
    size_t end = 0;
    bool quoted = !v.empty() && v[0] == '"';
    if (!IsToken(name) ||
        (quoted ? !SkipQuotedString(v, 0, &end) || end != v.size() : !IsToken(v))) {
      return Fail(Check::kBadAuthorization, "bad parameter");
    }
    for (unsigned k = 0; k < 5; ++k) {
      if (EqualsIgnoreCase(name, kRequired[k])) seen |= 1u << k;
    }
  }
  if (list.error()) return Fail(Check::kBadAuthorization, "empty or unbalanced parameter");
  if (is_digest && seen != 0x1f) return Fail(Check::kBadAuthorization, "Digest parameter missing");
  return {};
}

HeaderCheck CheckOptionTags(std::string_view value, bool allow_empty) {
  if (value.empty()) return allow_empty ? HeaderCheck{} : Fail(Check::kBadOptionTags, "empty");
  ListSplitter list(value);
  std::string_view tag;
  while (list.Next(&tag)) {
    if (!IsToken(tag)) return Fail(Check::kBadOptionTags);
  }
  return list.error() ? Fail(Check::kBadOptionTags) : HeaderCheck{};
}

}  // namespace sipguard::sip
