// BanBackend: the agent's one seam to whatever enforces a ban (the kernel's
// nftables, a fail2ban jail, or nothing at all), in the spirit of sshguard's
// small firewall backends. The agent decides WHO is banned and for how long
// (score, whitelist, repeat factor) and keeps every active ban in SQLite; a
// backend only carries decisions out.
//
// Contract of every call:
//   - Start() creates what the backend needs (idempotent: calling it again, or
//     on a fresh process while bans from an earlier run are in force, keeps
//     those bans). Every other call except Stop() fails until Start() succeeded.
//   - Ban(who, duration) bans a network; a single address is a /32 or /128
//     (an IPv4-mapped IPv6 address already IS the IPv4 address, see Cidr).
//     Banning what is already banned is not an error: the ban then lasts
//     `duration` from now where the backend can express that (nftables), or
//     stays as it was (fail2ban). ValidateBan() lists what is refused.
//   - Unban(who) lifts a ban made with exactly this `who`; lifting one that does
//     not exist (never made, already expired) succeeds, so a retry is harmless.
//   - Flush() lifts every ban this backend made, and only those (never other
//     tools' bans: no global "unban --all").
//   - Stop() releases the backend's resources. Bans stay in force (nftables
//     elements expire on time; a fail2ban jail applies its own bantime): an
//     agent restart must not open the door. Call Flush() first to lift them.
//
// Failure: each call returns an Error naming the backend, the operation and
// the cause (errno where the OS gave one, nft's own message, fail2ban's
// answer). A backend that is down (fail2ban-server not running, no
// CAP_NET_ADMIN) fails the call and changes nothing the caller relies on; the
// agent keeps the ban in SQLite as "to apply" and retries later (Ban/Unban are
// idempotent for that reason). Nothing here logs or throws.
//
// expires_by_itself(): true if a ban ends after `duration` without any further
// call (nftables element timeouts). When false (fail2ban's banip takes no
// duration; dry-run), the agent must call Unban() when the ban ends.
//
// Thread-safety: thread-compatible. One thread at a time per backend object
// (the agent's ban loop owns it); distinct objects are independent.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/cidr.h"
#include "common/result.h"

namespace sipguard::ban {

// Shortest networks a backend accepts: a ban on 0.0.0.0/0 (or a /4) would cut
// the host off from everyone, which no score can justify.
inline constexpr int kMinPrefixV4 = 8;
inline constexpr int kMinPrefixV6 = 16;
// Longest ban (about ten years); longer requests are refused, not clamped.
inline constexpr std::chrono::seconds kMaxBanDuration{3650LL * 24 * 3600};

class BanBackend {
 public:
  virtual ~BanBackend() = default;
  BanBackend() = default;
  BanBackend(const BanBackend&) = delete;
  BanBackend& operator=(const BanBackend&) = delete;

  virtual Status Start() = 0;
  virtual Status Ban(const Cidr& who, std::chrono::seconds duration) = 0;
  virtual Status Unban(const Cidr& who) = 0;
  virtual Status Flush() = 0;
  virtual Status Stop() = 0;

  // "nftables", "fail2ban:<jail>", "dry-run": the --ban-backend text.
  virtual std::string_view name() const = 0;
  virtual bool expires_by_itself() const = 0;
};

// What every backend refuses, before doing anything: loopback, unspecified,
// multicast and broadcast networks (never a remote offender; banning 127.0.0.1
// in prerouting would cut the proxy off from a local SIP server), networks
// shorter than kMinPrefixV4/kMinPrefixV6. The Error names `who`.
Status ValidateBanTarget(const Cidr& who);
// Durations outside [1 s, kMaxBanDuration] are refused.
Status ValidateBanDuration(std::chrono::seconds duration);

// The --ban-backend flag: "nftables", "fail2ban:JAIL" or "dry-run".
// JAIL is 1..64 characters of [A-Za-z0-9_.-] (fail2ban's own jail names are
// freer; this keeps anything odd out of the socket protocol).
struct BanBackendSpec {
  enum class Kind { kNftables, kFail2ban, kDryRun };
  Kind kind = Kind::kDryRun;
  std::string jail;  // kFail2ban only
};
Result<BanBackendSpec> ParseBanBackendSpec(std::string_view text);

inline constexpr std::string_view kDefaultFail2banSocket = "/run/fail2ban/fail2ban.sock";

struct BanBackendOptions {
  // fail2ban-server's socket (fail2ban.conf "socket").
  std::string fail2ban_socket{kDefaultFail2banSocket};
  // Upper bound for one fail2ban command: connect, send, answer.
  std::chrono::milliseconds fail2ban_timeout{5000};
};

// Parses `spec` and builds the backend, not yet started (no I/O happens here).
// Errors: an unknown backend, "fail2ban:" without a jail, an invalid jail name.
Result<std::unique_ptr<BanBackend>> MakeBanBackend(std::string_view spec,
                                                   const BanBackendOptions& options = {});

}  // namespace sipguard::ban
