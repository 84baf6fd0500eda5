#include "forward/backends.h"

#include <cstdint>

namespace sipguard::forward {

namespace {

// A 64-bit finalizer (SplitMix64's): every input bit affects every output bit.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// The backend's identity as a number (FNV-1a over address, port, transport).
uint64_t EndpointId(const Endpoint& e) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto add = [&h](uint64_t byte) {
    h ^= byte;
    h *= 0x100000001b3ULL;
  };
  for (uint8_t b : e.ip.bytes()) add(b);
  add(e.port >> 8);
  add(e.port & 0xff);
  add(static_cast<uint64_t>(e.transport));
  return h;
}

}  // namespace

const Backend* PickBackend(std::span<const Backend> backends, std::string_view call_id,
                           const SipKey& key) {
  // The keyed hash makes the Call-ID's weights unpredictable; the per-backend
  // score then only needs to be a good mix of it with the backend's identity.
  SipHasher h(key);
  h.Field(call_id);
  const uint64_t call = h.Finish();
  const Backend* best = nullptr;
  uint64_t best_score = 0;
  for (const Backend& b : backends) {
    if (!b.healthy) continue;
    uint64_t score = Mix(call ^ Mix(EndpointId(b.endpoint)));
    // Ties (2^-64) go to the first listed, so the choice stays deterministic.
    if (best == nullptr || score > best_score) {
      best = &b;
      best_score = score;
    }
  }
  return best;
}

}  // namespace sipguard::forward
