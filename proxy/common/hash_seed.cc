#include "common/hash_seed.h"

#include <sys/random.h>
#include <sys/types.h>

#include <chrono>

namespace sipguard {

uint64_t RandomHashSeed() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != static_cast<ssize_t>(sizeof(seed))) {
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    seed = Mix64(static_cast<uint64_t>(now) ^ reinterpret_cast<uintptr_t>(&seed));
  }
  return seed == 0 ? 0x9e3779b97f4a7c15ULL : seed;
}

}  // namespace sipguard
