#include "common/ip_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstring>

#include "common/hash_seed.h"
#include "common/sanitize.h"

namespace sipguard {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

Error InvalidAddress(std::string_view text, std::string_view why) {
  return Error("invalid IP address " + QuoteForError(text) + ": " + std::string(why));
}

bool IsAddressChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
         c == ':';
}

void AppendDecimal(unsigned value, std::string* out) {
  char buf[8];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  static_cast<void>(ec);  // Cannot fail: the buffer holds any 16-bit value.
  out->append(buf, end);
}

void AppendHex16(unsigned value, std::string* out) {
  char buf[8];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, 16);
  static_cast<void>(ec);
  out->append(buf, end);  // std::to_chars writes lower case, no leading zeros.
}

}  // namespace

IpAddress IpAddress::FromV4Bytes(std::span<const uint8_t, 4> bytes) {
  IpAddress ip;
  std::copy(bytes.begin(), bytes.end(), ip.bytes_.begin());
  return ip;
}

IpAddress IpAddress::FromV6Bytes(std::span<const uint8_t, 16> bytes) {
  if (std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes.begin())) {
    return FromV4Bytes(bytes.subspan<12, 4>());
  }
  IpAddress ip;
  ip.family_ = Family::kIpv6;
  std::copy(bytes.begin(), bytes.end(), ip.bytes_.begin());
  return ip;
}

Result<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty()) return InvalidAddress(text, "empty");
  if (text.size() > kMaxTextLength) return InvalidAddress(text, "too long");
  bool has_colon = false;
  for (char c : text) {
    // Rejects up front what inet_pton would silently stop at (an embedded NUL)
    // or that is not an address at all (brackets, '%' zone ids, spaces, '/').
    if (!IsAddressChar(c)) return InvalidAddress(text, "unexpected character");
    has_colon = has_colon || c == ':';
  }
  char buf[kMaxTextLength + 1];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (has_colon) {
    in6_addr a6;
    if (inet_pton(AF_INET6, buf, &a6) != 1) return InvalidAddress(text, "not an IPv6 address");
    return FromV6Bytes(std::span<const uint8_t, 16>(a6.s6_addr));
  }
  std::array<uint8_t, 4> a4;
  // glibc's and musl's inet_pton accept exactly a.b.c.d with parts 0..255 and
  // no leading zeros (so "010.0.0.1" is not silently read as octal).
  if (inet_pton(AF_INET, buf, a4.data()) != 1) return InvalidAddress(text, "not an IPv4 address");
  return FromV4Bytes(a4);
}

Result<IpAddress> IpAddress::FromSockaddr(const sockaddr* addr, socklen_t len, uint16_t* port) {
  if (addr == nullptr) return Error("socket address: null");
  const size_t size = len;
  if (size < offsetof(sockaddr, sa_family) + sizeof(sa_family_t)) {
    return Error("socket address: too short (" + std::to_string(size) + " bytes)");
  }
  if (addr->sa_family == AF_INET) {
    sockaddr_in sin;
    if (size < sizeof(sin)) return Error("socket address: AF_INET too short");
    std::memcpy(&sin, addr, sizeof(sin));
    if (port != nullptr) *port = ntohs(sin.sin_port);
    std::array<uint8_t, 4> a4;
    std::memcpy(a4.data(), &sin.sin_addr, a4.size());
    return FromV4Bytes(a4);
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 sin6;
    if (size < sizeof(sin6)) return Error("socket address: AF_INET6 too short");
    std::memcpy(&sin6, addr, sizeof(sin6));
    if (port != nullptr) *port = ntohs(sin6.sin6_port);
    return FromV6Bytes(std::span<const uint8_t, 16>(sin6.sin6_addr.s6_addr));
  }
  return Error("socket address: unsupported family " + std::to_string(addr->sa_family));
}

bool IpAddress::is_loopback() const {
  if (is_v4()) return bytes_[0] == 127;
  return std::all_of(bytes_.begin(), bytes_.end() - 1, [](uint8_t b) { return b == 0; }) &&
         bytes_[15] == 1;
}

bool IpAddress::is_unspecified() const {
  // Holds for both families: IPv4 keeps bytes 4..15 at zero.
  return std::all_of(bytes_.begin(), bytes_.end(), [](uint8_t b) { return b == 0; });
}

bool IpAddress::is_multicast() const {
  return is_v4() ? (bytes_[0] & 0xf0) == 0xe0 : bytes_[0] == 0xff;
}

bool IpAddress::is_broadcast() const {
  return is_v4() &&
         std::all_of(bytes_.begin(), bytes_.begin() + 4, [](uint8_t b) { return b == 0xff; });
}

IpAddress IpAddress::Prefix(int bits) const {
  const int len = std::clamp(bits, 0, max_prefix_len());
  IpAddress out = *this;
  const auto full_bytes = static_cast<size_t>(len / 8);
  const int rem = len % 8;
  size_t i = full_bytes;
  if (rem != 0) {
    out.bytes_[i] = static_cast<uint8_t>(out.bytes_[i] & (0xff << (8 - rem)));
    ++i;
  }
  for (; i < out.bytes_.size(); ++i) out.bytes_[i] = 0;
  return out;
}

std::string IpAddress::ToString() const {
  std::string s;
  AppendTo(&s);
  return s;
}

void IpAddress::AppendTo(std::string* out) const {
  if (is_v4()) {
    for (size_t i = 0; i < 4; ++i) {
      if (i > 0) out->push_back('.');
      AppendDecimal(bytes_[i], out);
    }
    return;
  }
  std::array<unsigned, 8> groups;
  for (size_t i = 0; i < 8; ++i) groups[i] = (unsigned{bytes_[2 * i]} << 8) | bytes_[2 * i + 1];
  // RFC 5952 4.2: compress the longest run of at least two zero groups, the
  // first one if there is a tie.
  size_t best_start = 8, best_len = 0;
  for (size_t i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best_start = 8;
  for (size_t i = 0; i < 8;) {
    if (i == best_start) {
      out->append("::");
      i += best_len;
      continue;
    }
    if (i > 0 && i != best_start + best_len) out->push_back(':');
    AppendHex16(groups[i], out);
    ++i;
  }
}

socklen_t IpAddress::ToSockaddr(uint16_t port, sockaddr_storage* out) const {
  std::memset(out, 0, sizeof(*out));
  if (is_v4()) {
    sockaddr_in sin;
    std::memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    std::memcpy(&sin.sin_addr, bytes_.data(), 4);
    std::memcpy(out, &sin, sizeof(sin));
    return sizeof(sin);
  }
  sockaddr_in6 sin6;
  std::memset(&sin6, 0, sizeof(sin6));
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(port);
  std::memcpy(&sin6.sin6_addr, bytes_.data(), 16);
  std::memcpy(out, &sin6, sizeof(sin6));
  return sizeof(sin6);
}

}  // namespace sipguard

size_t std::hash<sipguard::IpAddress>::operator()(const sipguard::IpAddress& ip) const noexcept {
  // Thread-safe one-time initialisation (C++11 "magic statics").
  static const uint64_t seed = sipguard::RandomHashSeed();
  std::array<uint8_t, 16> b{};
  const auto src = ip.bytes();
  std::copy(src.begin(), src.end(), b.begin());
  uint64_t hi, lo;
  std::memcpy(&hi, b.data(), 8);
  std::memcpy(&lo, b.data() + 8, 8);
  const uint64_t h =
      sipguard::Mix64(sipguard::Mix64(hi ^ seed) ^ lo ^ static_cast<uint64_t>(ip.family()));
  return static_cast<size_t>(sipguard::Mix64(h + seed));
}
