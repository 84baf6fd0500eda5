// IpAddress: an IPv4 or IPv6 address as a small value type.
//
// An IpAddress is 16 bytes plus a family tag, never allocates, and is cheap to
// copy, compare and hash, so it can key the per-source tables of the proxy
// (flood counters) and of the agent (scores, bans).
//
// One address, one value: an IPv4-mapped IPv6 address (::ffff:198.51.100.7,
// what a dual-stack socket reports for an IPv4 peer) IS the IPv4 address
// 198.51.100.7. Parse(), FromSockaddr() and FromV6Bytes() normalise it, so a
// ban, a whitelist entry or a score never exists twice for one host.
//
// Text is strict, at the level of inet_pton(3): dotted-quad IPv4 (four
// decimal parts, no leading zeros) or RFC 4291 IPv6 text. No brackets, no zone
// ids ("fe80::1%eth0"), no surrounding whitespace, no ports, no prefix length
// (see Cidr), at most kMaxTextLength bytes. ToString() is canonical: dotted
// quad for IPv4, RFC 5952 (lower case, leading zeros dropped, the longest run
// of two or more zero groups compressed to "::") for IPv6.
//
// Failure: Parse() and FromSockaddr() return an Error whose message names the
// rejected input (sanitized and shortened: it is usually attacker-controlled).
// Nothing here logs or throws.
//
// Thread-safety: a plain value; const methods may be called concurrently.
#pragma once

#include <sys/socket.h>

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sipguard {

class IpAddress {
 public:
  enum class Family : uint8_t { kIpv4 = 4, kIpv6 = 6 };

  // Longest text Parse() accepts: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255".
  static constexpr size_t kMaxTextLength = 45;

  // 0.0.0.0 (IPv4 unspecified).
  constexpr IpAddress() = default;

  // Parses an address in the strict syntax described above.
  static Result<IpAddress> Parse(std::string_view text);

  // Reads the address of an AF_INET or AF_INET6 socket address of `len` bytes,
  // as filled in by recvfrom()/accept(). When `port` is not null it receives
  // the port in host byte order. Fails on a null pointer, a short `len` or
  // another address family.
  static Result<IpAddress> FromSockaddr(const sockaddr* addr, socklen_t len,
                                        uint16_t* port = nullptr);

  // From network-order bytes. FromV6Bytes() normalises IPv4-mapped addresses.
  static IpAddress FromV4Bytes(std::span<const uint8_t, 4> bytes);
  static IpAddress FromV6Bytes(std::span<const uint8_t, 16> bytes);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kIpv4; }
  bool is_v6() const { return family_ == Family::kIpv6; }

  // The address in network byte order: 4 bytes for IPv4, 16 for IPv6.
  std::span<const uint8_t> bytes() const {
    return std::span<const uint8_t>(bytes_.data(), is_v4() ? 4 : 16);
  }
  // 32 for IPv4, 128 for IPv6.
  int max_prefix_len() const { return is_v4() ? 32 : 128; }

  bool is_loopback() const;     // 127.0.0.0/8, ::1
  bool is_unspecified() const;  // 0.0.0.0, ::
  bool is_multicast() const;    // 224.0.0.0/4, ff00::/8
  bool is_broadcast() const;    // 255.255.255.255 (IPv6 has none)

  // This address with every bit after the first `bits` set to zero: the
  // network a source belongs to (Prefix(64) groups an IPv6 source per /64).
  // `bits` is clamped to [0, max_prefix_len()].
  IpAddress Prefix(int bits) const;

  // Canonical text (see above).
  std::string ToString() const;
  // Appends ToString() to *out without a temporary.
  void AppendTo(std::string* out) const;

  // Fills *out with an AF_INET/AF_INET6 socket address for this address and
  // `port` (host byte order) and returns its length, ready for sendto().
  socklen_t ToSockaddr(uint16_t port, sockaddr_storage* out) const;

  // Total order: every IPv4 address sorts before every IPv6 address, then
  // by bytes, i.e. numerically.
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend std::strong_ordering operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  // Invariant: for IPv4, bytes_[4..15] are zero, so the defaulted comparisons
  // and the hash see exactly one representation per address.
  Family family_ = Family::kIpv4;
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace sipguard

// Hash for unordered containers. Keyed by a per-process random seed, so a
// remote sender who picks its source addresses (any IPv6 /64 holder can) cannot
// precompute a set that lands in one bucket. Not a cryptographic MAC.
template <>
struct std::hash<sipguard::IpAddress> {
  size_t operator()(const sipguard::IpAddress& ip) const noexcept;
};
