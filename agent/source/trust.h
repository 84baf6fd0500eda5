// TrustPolicy: which journal entries sipguard-agent believes came from
// sipguard-proxy (DESIGN.md, "The event contract").
//
// An entry is trusted ONLY by its journal *trusted* fields, the ones journald
// itself derives from the sender's kernel credentials and cgroup and that a
// client cannot set (their names start with '_'):
//   _SYSTEMD_UNIT  in `units`                      (the proxy runs as a service), or
//   _COMM          in `comms` and, when `exes` is not empty, _EXE in `exes`, or
//   _UID           in `uids`                       (a dedicated proxy account).
// SYSLOG_IDENTIFIER, MESSAGE and every SIPGUARD_* field are chosen by the
// sender and are never looked at: any local user can write
// `logger -t sipguard-proxy ...`, `systemd-cat -t sipguard-proxy` or
// sd_journal_send("SIPGUARD_EVENT=...").
//
// Default (TrustPolicy{}): units {sipguard-proxy.service}; comms
// {sipguard-proxy} together with exes {/usr/bin/sipguard-proxy,
// /usr/local/bin/sipguard-proxy}; no uids. _COMM alone is weak: any local
// process can name itself "sipguard-proxy" (prctl(PR_SET_NAME), or a copy of
// any binary under that name), so the default pairs it with the installed
// executable's path, which an unprivileged user cannot replace. Clear `exes`
// only where every local user is trusted.
//
// _COMM is the kernel's task name, at most 15 bytes: a configured comm is
// compared by its first 15 bytes.
//
// Entries from systemd-journal-remote carry the trusted fields as the remote
// journald recorded them: trusting such a directory means trusting every
// machine that may upload into it.
//
// Thread-safety: plain value; Check() is const and reentrant. No I/O, no logs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/event.h"

namespace sipguard::source {

// The kernel's comm length without the terminating NUL (TASK_COMM_LEN - 1).
inline constexpr size_t kMaxCommLen = 15;

enum class TrustVerdict {
  kTrustedUnit,  // _SYSTEMD_UNIT matched.
  kTrustedComm,  // _COMM (and _EXE when configured) matched.
  kTrustedUid,   // _UID matched.
  kUntrusted,    // No rule matched (or the trusted fields are missing).
};

// True for every kTrusted* verdict.
inline bool IsTrusted(TrustVerdict v) { return v != TrustVerdict::kUntrusted; }

struct TrustPolicy {
  std::vector<std::string> units = {"sipguard-proxy.service"};
  std::vector<std::string> comms = {"sipguard-proxy"};
  // When not empty, a _COMM match counts only if _EXE is one of these too.
  std::vector<std::string> exes = {"/usr/bin/sipguard-proxy", "/usr/local/bin/sipguard-proxy"};
  std::vector<uint32_t> uids;

  // Decides on the trusted fields read through `lookup` (the same lookup
  // ParseEventFields() takes). Rules are tried in the order unit, comm, uid;
  // the first match is returned. A field that is missing or malformed
  // (e.g. _UID not a decimal number) matches nothing.
  TrustVerdict Check(const FieldLookup& lookup) const;

  // True if no rule can ever match (all lists empty): nothing would be read.
  bool Empty() const { return units.empty() && comms.empty() && uids.empty(); }
};

}  // namespace sipguard::source
