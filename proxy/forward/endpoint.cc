#include "forward/endpoint.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

#include "sip/chars.h"

namespace sipguard::forward {

std::string_view ViaTransportToken(Transport t) { return t == Transport::kTcp ? "TCP" : "UDP"; }

std::string_view UriTransportParam(Transport t) { return t == Transport::kTcp ? "tcp" : "udp"; }

bool TransportFromToken(std::string_view token, Transport* out) {
  if (sip::EqualsIgnoreCase(token, "UDP")) {
    *out = Transport::kUdp;
    return true;
  }
  if (sip::EqualsIgnoreCase(token, "TCP")) {
    *out = Transport::kTcp;
    return true;
  }
  return false;
}

bool IsSendableAddress(const IpAddress& ip) {
  return !ip.is_unspecified() && !ip.is_broadcast() && !ip.is_multicast();
}

size_t FormatIp(const IpAddress& ip, bool brackets, char* out) {
  if (ip.is_v4()) {  // the common case, without inet_ntop's printf machinery
    size_t at = 0;
    for (size_t i = 0; i < 4; ++i) {
      unsigned v = ip.bytes()[i];
      if (i != 0) out[at++] = '.';
      if (v >= 100) out[at++] = static_cast<char>('0' + v / 100);
      if (v >= 10) out[at++] = static_cast<char>('0' + v / 10 % 10);
      out[at++] = static_cast<char>('0' + v % 10);
    }
    return at;
  }
  // inet_ntop formats into a caller buffer without allocating; glibc's IPv6
  // text is RFC 5952 (lower case, longest zero run compressed).
  std::array<char, INET6_ADDRSTRLEN> text{};
  const char* ok = inet_ntop(AF_INET6, ip.bytes().data(), text.data(), text.size());
  size_t n = ok != nullptr ? std::strlen(text.data()) : 0;
  size_t at = 0;
  bool wrap = brackets;
  if (wrap) out[at++] = '[';
  std::memcpy(out + at, text.data(), n);
  at += n;
  if (wrap) out[at++] = ']';
  return at;
}

std::string ToHostPort(const Endpoint& e) {
  std::array<char, kMaxIpText> host{};
  std::string s(host.data(), FormatIp(e.ip, /*brackets=*/true, host.data()));
  s += ':';
  s += std::to_string(e.port);
  return s;
}

}  // namespace sipguard::forward
