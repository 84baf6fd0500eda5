#include "common/cidr.h"

#include <algorithm>

#include "common/sanitize.h"

namespace sipguard {
namespace {

constexpr int kV4MappedBits = 96;  // Length of the ::ffff:0:0/96 prefix.

Error InvalidCidr(std::string_view text, std::string_view why) {
  return Error("invalid CIDR " + QuoteForError(text) + ": " + std::string(why));
}

// Strict decimal: 1 to 3 digits, no sign, no leading zero. -1 if invalid.
int ParsePrefixLen(std::string_view s) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return -1;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

Result<Cidr> Cidr::Make(const IpAddress& address, int prefix_len) {
  if (prefix_len < 0 || prefix_len > address.max_prefix_len()) {
    return Error("invalid CIDR \"" + address.ToString() + "/" + std::to_string(prefix_len) +
                 "\": prefix length out of range");
  }
  return Cidr(address.Prefix(prefix_len), prefix_len);
}

Result<Cidr> Cidr::Parse(std::string_view text) {
  const size_t slash = text.find('/');
  const std::string_view addr_text = text.substr(0, slash);
  auto addr = IpAddress::Parse(addr_text);
  if (!addr.ok()) return InvalidCidr(text, "bad address");
  if (slash == std::string_view::npos) return Cidr(*addr, addr->max_prefix_len());

  int len = ParsePrefixLen(text.substr(slash + 1));
  if (len < 0) return InvalidCidr(text, "bad prefix length");
  // The text was IPv6 but the address came out IPv4: a v4-mapped network.
  const bool mapped = addr->is_v4() && addr_text.find(':') != std::string_view::npos;
  if (mapped) {
    if (len > 128) return InvalidCidr(text, "prefix length out of range");
    if (len < kV4MappedBits) return InvalidCidr(text, "v4-mapped prefix shorter than /96");
    len -= kV4MappedBits;
  }
  if (len > addr->max_prefix_len()) return InvalidCidr(text, "prefix length out of range");
  return Cidr(addr->Prefix(len), len);
}

bool Cidr::Contains(const IpAddress& ip) const {
  return ip.family() == address_.family() && ip.Prefix(prefix_len_) == address_;
}

std::string Cidr::ToString() const {
  std::string s = address_.ToString();
  s.push_back('/');
  s += std::to_string(prefix_len_);
  return s;
}

bool CidrSet::Add(const Cidr& cidr) {
  if (std::find(entries_.begin(), entries_.end(), cidr) != entries_.end()) return false;
  entries_.push_back(cidr);
  return true;
}

bool CidrSet::Remove(const Cidr& cidr) {
  auto it = std::find(entries_.begin(), entries_.end(), cidr);
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

bool CidrSet::Contains(const IpAddress& ip) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&ip](const Cidr& c) { return c.Contains(ip); });
}

}  // namespace sipguard
