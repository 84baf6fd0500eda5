// NftablesBackend: bans in the kernel through libnftables, in sipguard's own
// table and nowhere else:
//
//   table inet sipguard {
//     set ban4    { type ipv4_addr; flags timeout; }            # single addresses
//     set ban6    { type ipv6_addr; flags timeout; }
//     set bannet4 { type ipv4_addr; flags interval,timeout; }   # networks
//     set bannet6 { type ipv6_addr; flags interval,timeout; }
//     chain prerouting {
//       type filter hook prerouting priority -300; policy accept;
//       ip saddr @ban4 counter drop
//       ip saddr @bannet4 counter drop
//       ip6 saddr @ban6 counter drop
//       ip6 saddr @bannet6 counter drop
//     }
//   }
//
// Where the drop sits. SIP over UDP is a conntrack flow: after its first
// packet, every later packet of an attacker is `ct state established`, and a
// drop placed after the usual `ct state established accept` of a filter/input
// chain never fires for it (fail2ban issue #3652: bans that did not stop a
// running flood). Our chain is a base chain of its own on the prerouting hook
// at priority -300 (the "raw" priority), i.e. before connection tracking
// (-200), before DNAT (-100) and before any input or forward chain of the
// host's own tables. So the very next packet from a banned source is dropped,
// whatever its conntrack state, whatever other tables accept, on every
// interface (unlike netdev/ingress, which needs a chain per device and misses
// devices added later), for traffic to this host and traffic it forwards (a
// SIP server behind DNAT), and a flood from a banned source never gets to
// create conntrack entries. Locally generated traffic does not pass prerouting,
// and loopback networks are refused (ValidateBanTarget), so the host cannot
// ban itself.
//
// Expiry is the kernel's: each element carries `timeout`, so bans end on time
// even while the agent is down; expires_by_itself() is true. Banning an
// address again replaces its timeout (delete + add in one transaction).
//
// Start() is idempotent and atomic (one nft transaction): "add" of the table
// and sets keeps existing sets and their elements, so a second Start() or an
// agent restart keeps the bans in force; the chain is flushed and its four
// rules re-added in the same transaction, so it always holds exactly them.
// If a set exists with another definition (an older sipguard), Start() fails
// with nft's message; `nft delete table inet sipguard` and a restart fix it
// (the agent re-applies its active bans from SQLite at start).
// Stop() releases the libnftables context and leaves the table and its bans
// in place; Flush() empties the four sets.
//
// Networks: a network ban goes to bannet4/bannet6, interval sets, where
// overlapping networks are refused by the kernel ("interval overlaps with an
// existing one"); ban networks of one prefix length (the agent bans IPv6
// sources per /64). A single address never conflicts with a network.
//
// Commands are built only from constants, decimal numbers and the canonical
// text of an already validated IpAddress/Cidr (checked again to hold only
// [0-9a-f.:/] before use): no caller text reaches nft's parser.
// Errors carry libnftables' own error buffer (captured, never printed).
//
// Namespaces and privileges: needs CAP_NET_ADMIN. libnftables' netlink socket
// is opened by Start() (the context is created there), so the backend acts in
// the network namespace of the thread that called Start(). Before that Start()
// opens and closes a NETLINK_NETFILTER socket itself, because libnftables
// exit()s the process when it cannot open one.
//
// Thread-safety: thread-compatible (see BanBackend); the context is not shared.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ban/ban_backend.h"

struct nft_ctx;

namespace sipguard::ban {

class NftablesBackend final : public BanBackend {
 public:
  static constexpr std::string_view kFamily = "inet";
  static constexpr std::string_view kTable = "sipguard";
  static constexpr std::string_view kChain = "prerouting";
  static constexpr std::string_view kSetV4 = "ban4";
  static constexpr std::string_view kSetV6 = "ban6";
  static constexpr std::string_view kNetSetV4 = "bannet4";
  static constexpr std::string_view kNetSetV6 = "bannet6";
  static constexpr int kHookPriority = -300;

  NftablesBackend();
  ~NftablesBackend() override;

  Status Start() override;
  Status Ban(const Cidr& who, std::chrono::seconds duration) override;
  Status Unban(const Cidr& who) override;
  Status Flush() override;
  Status Stop() override;
  std::string_view name() const override { return "nftables"; }
  bool expires_by_itself() const override { return true; }

  // The set that holds (or would hold) `who`: ban4, ban6, bannet4 or bannet6.
  static std::string_view SetFor(const Cidr& who);
  // The commands Start() runs (exposed for tests and documentation).
  static std::string StartCommands();

 private:
  struct CtxDeleter {
    void operator()(nft_ctx* ctx) const;
  };

  // Runs `commands` as one transaction; on failure an Error
  // "nftables: <what>: <nft's error>".
  Status Run(std::string_view what, const std::string& commands);

  std::unique_ptr<nft_ctx, CtxDeleter> ctx_;
};

}  // namespace sipguard::ban
