#include "ban/ban_backend.h"

#include <string>

#include "ban/dry_run_backend.h"
#include "ban/fail2ban_backend.h"
#include "ban/nftables_backend.h"
#include "common/sanitize.h"

namespace sipguard::ban {

namespace {

bool IsJailChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

}  // namespace

Status ValidateBanTarget(const Cidr& who) {
  const IpAddress& a = who.address();
  const char* why = nullptr;
  if (a.is_loopback()) {
    why = "a loopback network";
  } else if (a.is_unspecified()) {
    why = "an unspecified address";
  } else if (a.is_multicast()) {
    why = "a multicast network";
  } else if (a.is_broadcast()) {
    why = "the broadcast address";
  } else if (who.prefix_len() < (a.is_v4() ? kMinPrefixV4 : kMinPrefixV6)) {
    why = a.is_v4() ? "shorter than /8" : "shorter than /16";
  }
  if (why == nullptr) return {};
  return Error("refusing to ban " + who.ToString() + ": " + why);
}

Status ValidateBanDuration(std::chrono::seconds duration) {
  if (duration.count() < 1 || duration > kMaxBanDuration) {
    return Error("ban duration " + std::to_string(duration.count()) + "s out of range [1s, " +
                 std::to_string(kMaxBanDuration.count()) + "s]");
  }
  return {};
}

Result<BanBackendSpec> ParseBanBackendSpec(std::string_view text) {
  BanBackendSpec spec;
  if (text == "nftables") {
    spec.kind = BanBackendSpec::Kind::kNftables;
    return spec;
  }
  if (text == "dry-run") {
    spec.kind = BanBackendSpec::Kind::kDryRun;
    return spec;
  }
  constexpr std::string_view kF2b = "fail2ban:";
  if (text.starts_with(kF2b)) {
    std::string_view jail = text.substr(kF2b.size());
    if (jail.empty()) {
      return Error("--ban-backend fail2ban:JAIL needs a jail name (e.g. fail2ban:sipguard-agent)");
    }
    bool ok = jail.size() <= 64;
    for (char c : jail) ok = ok && IsJailChar(c);
    if (!ok) {
      return Error("--ban-backend: invalid fail2ban jail name " + QuoteForError(jail) +
                   " (1..64 characters of A-Z a-z 0-9 _ . -)");
    }
    spec.kind = BanBackendSpec::Kind::kFail2ban;
    spec.jail = std::string(jail);
    return spec;
  }
  if (text == "fail2ban") {
    return Error(
        "--ban-backend fail2ban needs a jail: fail2ban:JAIL (e.g. fail2ban:sipguard-agent)");
  }
  return Error("unknown --ban-backend " + QuoteForError(text) +
               " (expected nftables, fail2ban:JAIL or dry-run)");
}

Result<std::unique_ptr<BanBackend>> MakeBanBackend(std::string_view spec_text,
                                                   const BanBackendOptions& options) {
  Result<BanBackendSpec> spec = ParseBanBackendSpec(spec_text);
  if (!spec.ok()) return spec.error();
  std::unique_ptr<BanBackend> backend;
  switch (spec->kind) {
    case BanBackendSpec::Kind::kNftables: backend = std::make_unique<NftablesBackend>(); break;
    case BanBackendSpec::Kind::kDryRun: backend = std::make_unique<DryRunBackend>(); break;
    case BanBackendSpec::Kind::kFail2ban:
      if (options.fail2ban_socket.empty()) return Error("fail2ban socket path is empty");
      if (options.fail2ban_timeout.count() <= 0) return Error("fail2ban timeout must be positive");
      backend = std::make_unique<Fail2banBackend>(spec->jail, options.fail2ban_socket,
                                                  options.fail2ban_timeout);
      break;
  }
  return backend;
}

}  // namespace sipguard::ban
