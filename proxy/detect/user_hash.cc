#include "detect/user_hash.h"

#include <cstring>
#include <random>

namespace sipguard::detect {
namespace {

uint64_t Mix(uint64_t x) {  // SplitMix64 finaliser: full avalanche.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t RandomSeed() {
  std::random_device rd;
  const uint64_t s = (uint64_t{rd()} << 32) ^ rd();
  return s == 0 ? 0x9e3779b97f4a7c15ULL : s;
}

}  // namespace

UserHasher::UserHasher(uint64_t seed) : seed_(seed == 0 ? RandomSeed() : seed) {}

uint32_t UserHasher::operator()(std::string_view user) const {
  uint64_t h = Mix(seed_ ^ user.size());
  size_t i = 0;
  for (; i + 8 <= user.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, user.data() + i, 8);
    h = Mix(h ^ w) + seed_;
  }
  uint64_t tail = 0;
  if (i < user.size()) std::memcpy(&tail, user.data() + i, user.size() - i);
  h = Mix(h ^ tail ^ seed_);
  return static_cast<uint32_t>(h >> 32);
}

}  // namespace sipguard::detect
