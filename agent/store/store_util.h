// Helpers shared by the store_*.cc files: how addresses, networks and
// offender rows are encoded in the database. Internal to sipguard_store.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/cidr.h"
#include "common/ip_address.h"
#include "common/result.h"
#include "store/records.h"
#include "store/sqlite.h"

namespace sipguard::store {

// The family byte (4 or 6) then the address bytes: BLOB order is numeric
// order within a family, so a network is the range [lo, hi].
struct IpBlob {
  std::array<uint8_t, 17> bytes{};
  size_t size = 0;
  std::span<const uint8_t> span() const { return {bytes.data(), size}; }
};
IpBlob ToBlob(const IpAddress& ip);
IpBlob NetworkLo(const Cidr& cidr);  // First address of the network.
IpBlob NetworkHi(const Cidr& cidr);  // Last address of the network.

bool IsHost(const Cidr& cidr);
// How bans store a target: the bare address for a host, "net/len" otherwise.
std::string TargetText(const Cidr& cidr);

// SanitizeField(in, cap): single-line printable text of at most cap bytes.
std::string Bounded(std::string_view in, size_t cap);

// Columns every offender query selects, in this order, and their reader.
inline constexpr const char* kOffenderColumns =
    "ip, score, score_ms, first_seen_ms, last_seen_ms, total_events, ban_count";
Result<Offender> ReadOffender(const Db& db, const Query& q, int first_col = 0);

// Columns every ban query selects, in this order, and their reader.
inline constexpr const char* kBanColumns =
    "id, target, reason, created_ms, expires_ms, lifted_ms, lift_reason";
Result<Ban> ReadBan(const Db& db, const Query& q);

// An Error "<path>: <what>: stored value <text> is not valid".
Error BadStoredValue(const Db& db, std::string_view what, std::string_view text);

}  // namespace sipguard::store
