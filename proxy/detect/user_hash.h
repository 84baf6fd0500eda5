// UserHasher: a keyed 32-bit hash of short strings (SIP user parts), for the
// enumeration detector's sets of distinct users.
//
// Keyed by a seed (random per detector by default) so that a sender cannot
// pick user names that collide and so count as one: with a fixed hash it
// could probe thousands of names that all look like the same user. Not a
// cryptographic MAC; collisions between honest names are possible and only
// make the count a little low.
//
// Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipguard::detect {

class UserHasher {
 public:
  // seed 0 picks a random seed (std::random_device).
  explicit UserHasher(uint64_t seed = 0);

  uint32_t operator()(std::string_view user) const;

 private:
  uint64_t seed_;
};

}  // namespace sipguard::detect
