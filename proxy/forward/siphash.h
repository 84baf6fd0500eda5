// SipHash-2-4 (Aumasson & Bernstein): a keyed 64-bit hash, the forwarding
// core's only hash. Keyed with the proxy's secret, its outputs (Via branches,
// To tags, backend scores) cannot be predicted or steered by a sender who
// does not know the secret, yet are identical on every proxy that shares it.
//
// Incremental: Update() any number of times, then Finish(). Copying a hasher
// copies its state, so a common prefix (a Call-ID) can be hashed once and
// finished several ways (one per backend).
//
// Thread-safety: a plain value. Cost: no allocation, ~1 ns per byte.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sipguard::forward {

using SipKey = std::array<uint64_t, 2>;

class SipHasher {
 public:
  explicit SipHasher(const SipKey& key);

  void Update(std::string_view bytes);
  // Hashes a field as its length then its bytes, so that consecutive fields
  // cannot be shifted into one another ("ab","c" differs from "a","bc").
  void Field(std::string_view bytes);
  void Word(uint64_t value);  // eight bytes, little-endian

  // The hash of everything given so far; the hasher is left unchanged.
  uint64_t Finish() const;

 private:
  void Compress(uint64_t m);
  void Push(char c);

  uint64_t v0_, v1_, v2_, v3_;
  uint64_t tail_ = 0;  // pending bytes, little-endian
  size_t total_ = 0;   // bytes hashed
};

// Writes `value` as 16 lower-case hex digits at out[0..16).
void PutHex64(uint64_t value, char* out);

}  // namespace sipguard::forward
