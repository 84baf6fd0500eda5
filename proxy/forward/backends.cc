#include "forward/backends.h"

#include <cstdint>

namespace sipguard::forward {

const Backend* PickBackend(std::span<const Backend> backends, std::string_view call_id,
                           const SipKey& key) {
  SipHasher call(key);
  call.Field(call_id);
  const Backend* best = nullptr;
  uint64_t best_score = 0;
  for (const Backend& b : backends) {
    if (!b.healthy) continue;
    SipHasher h = call;
    std::span<const uint8_t> ip = b.endpoint.ip.bytes();
    h.Update(std::string_view(reinterpret_cast<const char*>(ip.data()), ip.size()));
    h.Word((uint64_t{b.endpoint.port} << 8) | static_cast<uint64_t>(b.endpoint.transport));
    uint64_t score = h.Finish();
    // Ties (2^-64) go to the first listed, so the choice stays deterministic.
    if (best == nullptr || score > best_score) {
      best = &b;
      best_score = score;
    }
  }
  return best;
}

}  // namespace sipguard::forward
