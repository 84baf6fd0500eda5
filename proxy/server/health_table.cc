#include "server/health_table.h"

namespace sipguard::server {

HealthTable::HealthTable(std::vector<forward::Endpoint> backends, uint32_t misses_to_fail)
    : endpoints_(std::move(backends)),
      slots_(std::make_unique<Slot[]>(endpoints_.size())),
      misses_to_fail_(misses_to_fail == 0 ? 1 : misses_to_fail) {}

std::optional<size_t> HealthTable::FindByAddress(const IpAddress& ip) const {
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (endpoints_[i].ip == ip) return i;
  }
  return std::nullopt;
}

std::optional<size_t> HealthTable::Find(const forward::Endpoint& e) const {
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (endpoints_[i].ip == e.ip && endpoints_[i].port == e.port) return i;
  }
  return FindByAddress(e.ip);
}

void HealthTable::MarkAnswered(size_t i) {
  if (i >= endpoints_.size()) return;
  slots_[i].answered.store(true, std::memory_order_release);
  slots_[i].healthy.store(true, std::memory_order_release);
}

bool HealthTable::EndRound() {
  bool changed = false;
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    Slot& s = slots_[i];
    bool was = s.healthy.load(std::memory_order_acquire);
    if (s.answered.exchange(false, std::memory_order_acq_rel)) {
      s.misses.store(0, std::memory_order_relaxed);
      s.healthy.store(true, std::memory_order_release);
    } else {
      uint32_t m = s.misses.load(std::memory_order_relaxed) + 1;
      s.misses.store(m, std::memory_order_relaxed);
      if (m >= misses_to_fail_) s.healthy.store(false, std::memory_order_release);
    }
    changed = changed || was != s.healthy.load(std::memory_order_acquire);
  }
  return changed;
}

void HealthTable::CopyStateFrom(const HealthTable& other) {
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    for (size_t j = 0; j < other.endpoints_.size(); ++j) {
      if (endpoints_[i] != other.endpoints_[j]) continue;
      const Slot& from = other.slots_[j];
      slots_[i].healthy.store(from.healthy.load(std::memory_order_acquire));
      slots_[i].misses.store(from.misses.load(std::memory_order_relaxed));
      slots_[i].answered.store(from.answered.load(std::memory_order_acquire));
    }
  }
}

void HealthTable::Snapshot(std::vector<forward::Backend>* out) const {
  out->resize(endpoints_.size());
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    (*out)[i].endpoint = endpoints_[i];
    (*out)[i].healthy = healthy(i);
  }
}

}  // namespace sipguard::server
