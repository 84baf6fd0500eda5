#include "detect/user_hash.h"

#include <cstring>

#include "common/hash_seed.h"

namespace sipguard::detect {

UserHasher::UserHasher(uint64_t seed) : seed_(seed == 0 ? RandomHashSeed() : seed) {}

uint32_t UserHasher::operator()(std::string_view user) const {
  uint64_t h = Mix64(seed_ ^ user.size());
  size_t i = 0;
  for (; i + 8 <= user.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, user.data() + i, 8);
    h = Mix64(h ^ w) + seed_;
  }
  uint64_t tail = 0;
  if (i < user.size()) std::memcpy(&tail, user.data() + i, user.size() - i);
  h = Mix64(h ^ tail ^ seed_);
  return static_cast<uint32_t>(h >> 32);
}

}  // namespace sipguard::detect
