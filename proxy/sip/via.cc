#include "sip/via.h"

#include "sip/chars.h"
#include "sip/numbers.h"
#include "sip/values.h"

namespace sipguard::sip {
namespace {

constexpr std::string_view kMagicCookie = "z9hG4bK";

void SkipLws(std::string_view s, size_t* i) {
  while (*i < s.size() && IsLws(s[*i])) ++(*i);
}

std::string_view Token(std::string_view s, size_t* i) {
  size_t begin = *i;
  while (*i < s.size() && IsTokenChar(s[*i])) ++(*i);
  return s.substr(begin, *i - begin);
}

// SLASH = SWS "/" SWS
bool Slash(std::string_view s, size_t* i) {
  SkipLws(s, i);
  if (*i >= s.size() || s[*i] != '/') return false;
  ++(*i);
  SkipLws(s, i);
  return true;
}

}  // namespace

std::string_view ViaErrorText(ViaError e) {
  switch (e) {
    case ViaError::kNone: return "no error";
    case ViaError::kBadProtocol: return "bad Via sent-protocol";
    case ViaError::kBadSentBy: return "bad Via sent-by";
    case ViaError::kBadParams: return "bad Via parameter";
    case ViaError::kBadBranch: return "Via branch is only the magic cookie";
    case ViaError::kBadReceived: return "bad Via received parameter";
    case ViaError::kBadRport: return "bad Via rport parameter";
  }
  return "bad Via";
}

ViaError ParseVia(std::string_view s, Via* via) {
  *via = Via{};
  size_t i = 0;
  via->protocol = Token(s, &i);
  if (via->protocol.empty() || !Slash(s, &i)) return ViaError::kBadProtocol;
  via->version = Token(s, &i);
  if (via->version.empty() || !Slash(s, &i)) return ViaError::kBadProtocol;
  via->transport = Token(s, &i);
  if (via->transport.empty()) return ViaError::kBadProtocol;
  size_t before_lws = i;
  SkipLws(s, &i);
  if (i == before_lws) return ViaError::kBadSentBy;  // LWS required before sent-by

  // sent-by = host [ COLON port ], ending at LWS or ';'.
  size_t begin = i;
  if (i < s.size() && s[i] == '[') {
    while (i < s.size() && s[i] != ']') ++i;
    if (i < s.size()) ++i;
  } else {
    while (i < s.size() && (IsAlnum(s[i]) || s[i] == '.' || s[i] == '-')) ++i;
  }
  via->host = s.substr(begin, i - begin);
  if (!ParseHost(via->host, &via->host_kind)) return ViaError::kBadSentBy;
  SkipLws(s, &i);
  if (i < s.size() && s[i] == ':') {
    ++i;
    SkipLws(s, &i);
    size_t port_begin = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    uint64_t port = 0;
    if (!ParseDecimal(s.substr(port_begin, i - port_begin), 65535, &port) || port == 0) {
      return ViaError::kBadSentBy;
    }
    via->port = static_cast<uint16_t>(port);
  }

  ViaError param_error = ViaError::kBadParams;
  bool ok = ParseParams(s.substr(i), [&](std::string_view name, std::string_view value) {
    if (EqualsIgnoreCase(name, "branch")) {
      if (value.empty() || value == kMagicCookie) {
        param_error = ViaError::kBadBranch;
        return false;
      }
      via->branch = value;
    } else if (EqualsIgnoreCase(name, "received")) {
      // RFC 5118 §4.5: accept the address with or without brackets.
      std::string_view addr = value;
      if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') {
        addr = addr.substr(1, addr.size() - 2);
      }
      if (!IsIPv4Text(addr) && !IsIPv6Text(addr)) {
        param_error = ViaError::kBadReceived;
        return false;
      }
      via->received = addr;
    } else if (EqualsIgnoreCase(name, "rport")) {
      via->has_rport = true;
      uint64_t port = 0;
      if (!value.empty()) {
        if (!ParseDecimal(value, 65535, &port)) {
          param_error = ViaError::kBadRport;
          return false;
        }
      }
      via->rport = static_cast<uint16_t>(port);
    } else if (EqualsIgnoreCase(name, "maddr")) {
      via->maddr = value;
    }
    return true;
  });
  return ok ? ViaError::kNone : param_error;
}

}  // namespace sipguard::sip
