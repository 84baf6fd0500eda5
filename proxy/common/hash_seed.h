// Keyed hashing helpers for tables an attacker fills (per-source counters,
// per-user sets): a per-process random seed, so no sender can aim its
// addresses or names at one bucket, and the SplitMix64 finaliser to mix it in.
// Thread-safety: pure functions; RandomHashSeed() reads the kernel's RNG.
#pragma once

#include <cstdint>

namespace sipguard {

// SplitMix64 finaliser: bijective, full avalanche.
constexpr uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// 64 random bits from getrandom(2); never 0. Without entropy yet (early
// boot) it falls back to the clock and an address, which still differ per
// process and per run. Never fails, never blocks.
uint64_t RandomHashSeed();

}  // namespace sipguard
