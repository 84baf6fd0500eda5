#include "ban/dry_run_backend.h"

#include <algorithm>
#include <utility>

namespace sipguard::ban {

std::string DryRunRecord::ToString() const {
  switch (op) {
    case Op::kStart: return "start";
    case Op::kBan:
      return "ban " + who.ToString() + " for " + std::to_string(duration.count()) + "s";
    case Op::kUnban: return "unban " + who.ToString();
    case Op::kFlush: return "flush";
    case Op::kStop: return "stop";
  }
  return "?";
}

DryRunBackend::DryRunBackend(std::function<void(const DryRunRecord&)> observer)
    : observer_(std::move(observer)) {}

void DryRunBackend::Record(const DryRunRecord& record) {
  if (observer_) observer_(record);
  if (records_.size() >= kMaxRecords) {
    records_.pop_front();
    ++dropped_;
  }
  records_.push_back(record);
}

Status DryRunBackend::Start() {
  started_ = true;
  Record({DryRunRecord::Op::kStart, Cidr(), std::chrono::seconds(0)});
  return {};
}

Status DryRunBackend::Ban(const Cidr& who, std::chrono::seconds duration) {
  if (!started_) return Error("dry-run: ban " + who.ToString() + ": backend not started");
  if (Status s = ValidateBanTarget(who); !s.ok()) return Error("dry-run: " + s.error().message());
  if (Status s = ValidateBanDuration(duration); !s.ok()) {
    return Error("dry-run: ban " + who.ToString() + ": " + s.error().message());
  }
  if (std::find(banned_.begin(), banned_.end(), who) == banned_.end()) banned_.push_back(who);
  Record({DryRunRecord::Op::kBan, who, duration});
  return {};
}

Status DryRunBackend::Unban(const Cidr& who) {
  if (!started_) return Error("dry-run: unban " + who.ToString() + ": backend not started");
  std::erase(banned_, who);
  Record({DryRunRecord::Op::kUnban, who, std::chrono::seconds(0)});
  return {};
}

Status DryRunBackend::Flush() {
  if (!started_) return Error("dry-run: flush: backend not started");
  std::vector<Cidr> banned = std::move(banned_);
  banned_.clear();
  for (const Cidr& c : banned) Record({DryRunRecord::Op::kUnban, c, std::chrono::seconds(0)});
  Record({DryRunRecord::Op::kFlush, Cidr(), std::chrono::seconds(0)});
  return {};
}

Status DryRunBackend::Stop() {
  started_ = false;
  Record({DryRunRecord::Op::kStop, Cidr(), std::chrono::seconds(0)});
  return {};
}

std::vector<DryRunRecord> DryRunBackend::TakeRecords() {
  std::vector<DryRunRecord> out(std::make_move_iterator(records_.begin()),
                                std::make_move_iterator(records_.end()));
  records_.clear();
  return out;
}

}  // namespace sipguard::ban
