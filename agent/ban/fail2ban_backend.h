// Fail2banBackend: bans through a fail2ban jail by talking to fail2ban-server's
// Unix socket directly (no Python client per ban): `set JAIL banip ADDR` and
// `set JAIL unbanip ADDR`, as jail.d/sipguard.conf's banip-only jail
// `sipguard-agent` expects.
//
// Fail2banClient: one command per connection (connect, send, read the answer,
// send the close marker, close), like fail2ban-client. Each Call() is bounded:
// the whole exchange must finish within `timeout` (an unresponsive server is
// an Error, never a hang) and the answer within kMaxPickleBytes. A server that
// is not running gives "no such socket" or "connection refused" Errors.
//
// Fail2banBackend:
//   - Start() asks the server for the jail's bantime: proves the server answers
//     and the jail exists (an Error names the jail otherwise).
//   - Ban() bans single addresses only (/32, /128): the shipped jail's nftables
//     action keeps a set without the interval flag, where a network cannot go.
//     fail2ban's banip takes no duration: the jail's bantime (1d) bounds the
//     ban and expires_by_itself() is false, so the agent calls Unban() itself.
//   - Flush() never sends fail2ban's global "unban --all": it unbans each
//     address this object banned (a list kept in memory). After an agent
//     restart the list is empty until the agent re-applies its active bans from
//     SQLite (Ban() of an address fail2ban already bans is harmless).
//   - Stop() forgets nothing and closes nothing (no connection is kept).
//
// Thread-safety: thread-compatible (see BanBackend).
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "ban/ban_backend.h"
#include "ban/fail2ban_protocol.h"

namespace sipguard::ban {

class Fail2banClient {
 public:
  Fail2banClient(std::string socket_path, std::chrono::milliseconds timeout);

  // Sends one command; returns the value of a code-0 answer. A code-1 answer
  // is an Error with fail2ban's description, naming the command.
  Result<fail2ban::PickleValue> Call(std::span<const std::string> args) const;

  const std::string& socket_path() const { return socket_path_; }

 private:
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
};

class Fail2banBackend final : public BanBackend {
 public:
  // Addresses per unbanip command in Flush().
  static constexpr size_t kFlushBatch = 64;

  // `jail` must be valid as ParseBanBackendSpec() checks it.
  Fail2banBackend(std::string jail, std::string socket_path, std::chrono::milliseconds timeout);

  Status Start() override;
  Status Ban(const Cidr& who, std::chrono::seconds duration) override;
  Status Unban(const Cidr& who) override;
  Status Flush() override;
  Status Stop() override;
  std::string_view name() const override { return name_; }
  bool expires_by_itself() const override { return false; }

  // Addresses banned through this object and not unbanned since.
  const std::vector<IpAddress>& banned() const { return banned_; }

 private:
  Status Fail(std::string_view op, const Error& cause) const;

  std::string jail_;
  std::string name_;
  Fail2banClient client_;
  std::vector<IpAddress> banned_;
  bool started_ = false;
};

}  // namespace sipguard::ban
