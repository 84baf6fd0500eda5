// DryRunBackend: bans nothing; records what it would do, for tests and for
// operators trying the agent out (`--ban-backend dry-run`; the agent's main
// logs each record). It validates exactly as the real backends do, so a
// dry run refuses what a real run would refuse, and it refuses calls before
// Start() like they do.
//
// expires_by_itself() is false: the agent then also records the Unban() at the
// end of each ban, which is what an operator wants to see in a dry run.
//
// Records are kept until TakeRecords() (at most kMaxRecords: older ones are
// dropped and counted in dropped_records()); the optional observer sees each
// record as it is made. The observer must not throw and must not call back
// into the backend.
//
// Thread-safety: thread-compatible (see BanBackend).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "ban/ban_backend.h"

namespace sipguard::ban {

struct DryRunRecord {
  enum class Op { kStart, kBan, kUnban, kFlush, kStop };
  Op op = Op::kStart;
  Cidr who;                          // kBan, kUnban
  std::chrono::seconds duration{0};  // kBan

  // "start", "ban 198.51.100.7/32 for 3600s", "unban 2001:db8::/64", "flush", "stop".
  std::string ToString() const;
  friend bool operator==(const DryRunRecord&, const DryRunRecord&) = default;
};

class DryRunBackend final : public BanBackend {
 public:
  static constexpr size_t kMaxRecords = 4096;

  explicit DryRunBackend(std::function<void(const DryRunRecord&)> observer = {});

  Status Start() override;
  Status Ban(const Cidr& who, std::chrono::seconds duration) override;
  Status Unban(const Cidr& who) override;
  // Records an Unban for each ban still in force, then a Flush.
  Status Flush() override;
  Status Stop() override;
  std::string_view name() const override { return "dry-run"; }
  bool expires_by_itself() const override { return false; }

  // The records since the last call, oldest first.
  std::vector<DryRunRecord> TakeRecords();
  size_t dropped_records() const { return dropped_; }
  // What would be banned now (insertion order; expiry is not simulated).
  const std::vector<Cidr>& banned() const { return banned_; }

 private:
  void Record(const DryRunRecord& record);

  std::function<void(const DryRunRecord&)> observer_;
  std::deque<DryRunRecord> records_;
  size_t dropped_ = 0;
  std::vector<Cidr> banned_;
  bool started_ = false;
};

}  // namespace sipguard::ban
