// SourceTable<V>: per-source state for at most capacity() sources, with a
// fixed memory footprint and O(1) work per lookup.
//
// Why: every detector keeps a little state per source address, and an
// attacker controls how many source addresses it shows (any IPv6 /64 holder
// has 2^64 of them, spoofed UDP has all of IPv4). So no table here ever grows:
// all slots are allocated once, in the constructor, and a new source takes
// the place of an old one when its bucket is full.
//
// Layout: set-associative. The key's hash picks one bucket of kWays slots;
// lookups scan only that bucket. The hash is std::hash<IpAddress>, keyed by
// a per-process random seed (see common/ip_address.h), so a remote sender
// cannot precompute addresses that land in one bucket.
//
// Eviction: when the bucket of a new source is full, the slot with the LOWEST
// activity (as the caller's `activity` function rates it, e.g. packets in the
// current window, 0 for stale state) is replaced; ties go to the lower way.
// Guarantee: an entry is only ever replaced by a newcomer to its own bucket
// while it is the least active of the bucket's kWays entries. A stream of
// one-packet sources (activity 1) therefore never displaces a source whose
// activity is higher, however many addresses the stream uses: a flooder
// cannot reset its own counter by spraying spoofed addresses.
// What is NOT guaranteed: an entry as inactive as the newcomers (e.g. one
// packet) may be replaced at any time; its state is then forgotten, which
// every detector treats as "fresh source" (fail-open for that source).
//
// Sizing: buckets fill unevenly (the hash is random), so evictions start
// before size() reaches capacity(): with N = 0.75 x capacity sources, about
// 95% of them are held at once (measured by detect_bench). Size the table at
// 1.5x the sources you expect to hold.
//
// Thread-safety: none; one table per detector instance, one instance per
// worker thread. Failure: none at run time (construction allocates once; a
// std::bad_alloc there ends the process like any allocation failure).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "common/ip_address.h"

namespace sipguard::detect {

// The address a detector keys its state by: IPv4 sources as they are, IPv6
// sources by their first `v6_prefix_len` bits (64 groups a host's /64, which
// one customer line gets and can rotate through at will; 128 keys each
// address).
inline IpAddress SourceKey(const IpAddress& ip, int v6_prefix_len) {
  return ip.is_v6() && v6_prefix_len < 128 ? ip.Prefix(v6_prefix_len) : ip;
}

template <typename V>
class SourceTable {
 public:
  static constexpr size_t kWays = 8;
  // Largest capacity accepted by the detectors' configs (4M sources; a flood
  // table that size is 192 MiB).
  static constexpr size_t kMaxCapacity = size_t{1} << 22;

  // Room for at least `capacity` sources (rounded up to a power-of-two number
  // of buckets of kWays slots; at least one bucket, at most kMaxCapacity).
  explicit SourceTable(size_t capacity) {
    if (capacity > kMaxCapacity) capacity = kMaxCapacity;
    size_t buckets = 1;
    while (buckets * kWays < capacity) buckets <<= 1;
    mask_ = buckets - 1;
    slots_.resize(buckets * kWays);
  }

  size_t capacity() const { return slots_.size(); }
  // Sources currently held.
  size_t size() const { return size_; }
  // How many entries were replaced by newcomers so far.
  uint64_t evictions() const { return evictions_; }

  // The state of `key`, or nullptr.
  V* Find(const IpAddress& key) {
    Slot* b = Bucket(key);
    for (size_t w = 0; w < kWays; ++w) {
      if (b[w].used && b[w].key == key) return &b[w].value;
    }
    return nullptr;
  }

  // The state of `key`, inserting a value-initialised V when absent
  // (*inserted tells which), evicting as described above when the bucket is
  // full. `activity(const V&)` returns a uint64_t.
  template <typename Activity>
  V* FindOrInsert(const IpAddress& key, const Activity& activity, bool* inserted) {
    Slot* b = Bucket(key);
    Slot* free_slot = nullptr;
    for (size_t w = 0; w < kWays; ++w) {
      if (!b[w].used) {
        if (free_slot == nullptr) free_slot = &b[w];
      } else if (b[w].key == key) {
        *inserted = false;
        return &b[w].value;
      }
    }
    *inserted = true;
    if (free_slot == nullptr) {
      free_slot = &b[0];
      uint64_t lowest = activity(b[0].value);
      for (size_t w = 1; w < kWays && lowest > 0; ++w) {
        const uint64_t a = activity(b[w].value);
        if (a < lowest) {
          lowest = a;
          free_slot = &b[w];
        }
      }
      ++evictions_;
    } else {
      ++size_;
    }
    free_slot->used = true;
    free_slot->key = key;
    free_slot->value = V{};
    return &free_slot->value;
  }

  // Forgets every entry (keeps the memory).
  void Clear() {
    for (Slot& s : slots_) s.used = false;
    size_ = 0;
  }

 private:
  struct Slot {
    IpAddress key;
    bool used = false;
    V value{};
  };

  Slot* Bucket(const IpAddress& key) {
    const size_t h = std::hash<IpAddress>{}(key);
    return &slots_[(h & mask_) * kWays];
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
  uint64_t evictions_ = 0;
};

}  // namespace sipguard::detect
