#include "store/store_util.h"

#include <algorithm>

#include "common/sanitize.h"

namespace sipguard::store {

IpBlob ToBlob(const IpAddress& ip) {
  IpBlob b;
  const auto bytes = ip.bytes();
  b.bytes[0] = ip.is_v4() ? 4 : 6;
  std::copy(bytes.begin(), bytes.end(), b.bytes.begin() + 1);
  b.size = 1 + bytes.size();
  return b;
}

IpBlob NetworkLo(const Cidr& cidr) { return ToBlob(cidr.address()); }

IpBlob NetworkHi(const Cidr& cidr) {
  IpBlob b = ToBlob(cidr.address());
  const int len = cidr.prefix_len();
  for (size_t i = 1; i < b.size; ++i) {
    const int bit0 = static_cast<int>(i - 1) * 8;  // Address bit of this byte's MSB.
    if (bit0 >= len) {
      b.bytes[i] = 0xff;
    } else if (bit0 + 8 > len) {
      b.bytes[i] = static_cast<uint8_t>(b.bytes[i] | (0xffU >> (len - bit0)));
    }
  }
  return b;
}

bool IsHost(const Cidr& cidr) { return cidr.prefix_len() == cidr.address().max_prefix_len(); }

std::string TargetText(const Cidr& cidr) {
  return IsHost(cidr) ? cidr.address().ToString() : cidr.ToString();
}

std::string Bounded(std::string_view in, size_t cap) {
  std::string out;
  SanitizeField(in, cap, &out);
  return out;
}

Error BadStoredValue(const Db& db, std::string_view what, std::string_view text) {
  return db.Fail(what, "stored value " + QuoteForError(text) + " is not valid");
}

Result<Offender> ReadOffender(const Db& db, const Query& q, int first_col) {
  const int c = first_col;
  const std::string ip_text = q.Text(c);
  auto ip = IpAddress::Parse(ip_text);
  if (!ip.ok()) return BadStoredValue(db, "read offender", ip_text);
  Offender o;
  o.ip = *ip;
  o.score = q.Real(c + 1);
  o.score_ms = q.Int(c + 2);
  o.first_seen_ms = q.Int(c + 3);
  o.last_seen_ms = q.Int(c + 4);
  o.total_events = q.Int(c + 5);
  o.ban_count = q.Int(c + 6);
  return o;
}

Result<Ban> ReadBan(const Db& db, const Query& q) {
  const std::string target = q.Text(1);
  auto cidr = Cidr::Parse(target);
  if (!cidr.ok()) return BadStoredValue(db, "read ban", target);
  Ban b;
  b.id = q.Int(0);
  b.target = *cidr;
  b.reason = q.Text(2);
  b.created_ms = q.Int(3);
  b.expires_ms = q.OptInt(4);
  b.lifted_ms = q.OptInt(5);
  b.lift_reason = q.Text(6);
  return b;
}

}  // namespace sipguard::store
