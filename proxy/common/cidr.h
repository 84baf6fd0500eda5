// Cidr: an IP network, an address plus a prefix length ("192.0.2.0/24").
// CidrSet: a small list of them (the agent's whitelist of trusted trunks).
//
// Parse() accepts "<address>/<len>" with len 0..32 for IPv4 and 0..128 for
// IPv6 (decimal, no sign, no leading zeros), or a bare address, which is a
// single host (/32 or /128). The address part follows IpAddress::Parse. Host
// bits set after the prefix are cleared, as fail2ban and ipset do:
// "192.0.2.77/24" is 192.0.2.0/24. IPv4-mapped IPv6 networks
// ("::ffff:192.0.2.0/120") are the IPv4 networks they stand for (192.0.2.0/24);
// one shorter than /96 would mix IPv4 and IPv6 and is rejected.
//
// Families never mix: an IPv6 network contains no IPv4 address, not even
// "::/0" (an IPv4 peer on a dual-stack socket is an IPv4 address, see
// IpAddress), so whitelisting everything takes "0.0.0.0/0" and "::/0".
//
// Failure: Parse() returns an Error whose message names the input.
// Thread-safety: plain values; const methods may be called concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"

namespace sipguard {

class Cidr {
 public:
  // 0.0.0.0/32.
  Cidr() = default;

  static Result<Cidr> Parse(std::string_view text);
  // `prefix_len` must be within [0, address.max_prefix_len()]; host bits of
  // `address` are cleared.
  static Result<Cidr> Make(const IpAddress& address, int prefix_len);

  // The network address (host bits zero).
  const IpAddress& address() const { return address_; }
  int prefix_len() const { return prefix_len_; }

  // True if `ip` is in this network (same family, same first prefix_len bits).
  bool Contains(const IpAddress& ip) const;

  // "<address>/<len>", always with the length, e.g. "2001:db8::/32", "192.0.2.1/32".
  std::string ToString() const;

  friend bool operator==(const Cidr&, const Cidr&) = default;

 private:
  Cidr(const IpAddress& address, int prefix_len) : address_(address), prefix_len_(prefix_len) {}

  IpAddress address_;
  int prefix_len_ = 32;
};

// A set of networks with a linear Contains(): meant for tens of entries.
class CidrSet {
 public:
  // Adds `cidr`; returns false (and changes nothing) if it is already in the set.
  bool Add(const Cidr& cidr);
  // Removes `cidr` (exact match); returns false if it was not in the set.
  bool Remove(const Cidr& cidr);

  // True if any network of the set contains `ip`.
  bool Contains(const IpAddress& ip) const;

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  // In insertion order.
  const std::vector<Cidr>& entries() const { return entries_; }

 private:
  std::vector<Cidr> entries_;
};

}  // namespace sipguard
