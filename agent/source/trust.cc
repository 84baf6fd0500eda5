#include "source/trust.h"

#include <algorithm>
#include <charconv>
#include <optional>

namespace sipguard::source {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  return std::any_of(list.begin(), list.end(), [v](const std::string& s) { return s == v; });
}

bool CommMatches(const std::vector<std::string>& comms, std::string_view comm) {
  return std::any_of(comms.begin(), comms.end(), [comm](const std::string& c) {
    return std::string_view(c).substr(0, kMaxCommLen) == comm;
  });
}

std::optional<uint32_t> ParseUid(std::string_view s) {
  uint32_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || p != end) return std::nullopt;
  return v;
}

}  // namespace

TrustVerdict TrustPolicy::Check(const FieldLookup& lookup) const {
  if (!units.empty()) {
    std::optional<std::string_view> unit = lookup("_SYSTEMD_UNIT");
    if (unit && Contains(units, *unit)) return TrustVerdict::kTrustedUnit;
  }
  if (!comms.empty()) {
    std::optional<std::string_view> comm_view = lookup("_COMM");
    const bool comm_ok = comm_view && CommMatches(comms, *comm_view);
    if (comm_ok) {
      if (exes.empty()) return TrustVerdict::kTrustedComm;
      std::optional<std::string_view> exe = lookup("_EXE");
      if (exe && Contains(exes, *exe)) return TrustVerdict::kTrustedComm;
    }
  }
  if (!uids.empty()) {
    std::optional<std::string_view> uid_view = lookup("_UID");
    if (uid_view) {
      std::optional<uint32_t> uid = ParseUid(*uid_view);
      if (uid && std::find(uids.begin(), uids.end(), *uid) != uids.end()) {
        return TrustVerdict::kTrustedUid;
      }
    }
  }
  return TrustVerdict::kUntrusted;
}

}  // namespace sipguard::source
