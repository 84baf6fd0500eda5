// EnumerationDetector: probing for valid extensions (sipvicious svwar and
// its kind), seen in the backends' answers.
//
// Feed it every final response (any method: svwar uses REGISTER, INVITE or
// OPTIONS) with ResponseSample. A "not found" answer (404 Not Found, 484
// Address Incomplete, 604 Does Not Exist Anywhere) for a To user is one
// probe. Per source, in fixed windows (window.h), it counts DISTINCT To
// users that were not found, and asks for ONE `enumeration` event per source
// per window when they reach distinct_limit. The same user not found again
// (a phone retrying a mistyped extension, a misconfigured device) counts
// once. Answers other than "not found" are not counted: the 401-for-existing
// / 404-for-missing contrast svwar exploits shows up as the 404s of the
// missing ones, and a backend that answers both alike (Asterisk's
// alwaysauthreject) leaks nothing to enumerate.
//
// Defaults (window 60 s, distinct_limit 10): a person misdials a handful of
// numbers a minute at most, and trunks that route many unknown numbers are
// trusted; svwar walks 100..999 at hundreds a second.
//
// Distinct users are kept as keyed 32-bit hashes (user_hash.h), at most
// kMaxDistinctLimit per source. Trusted sources are ignored; IPv6 sources are
// grouped by /v6_prefix_len. Memory: a SourceTable of `capacity` entries of
// ~170 bytes (16k sources = 2.7 MiB), allocated once; only sources that got
// a "not found" take a slot; eviction as in source_table.h (fewest distinct
// users in the current window first).
//
// Thread-safety: none; one instance per worker thread. Failure: Create()
// returns an Error naming the bad field; Observe() cannot fail and never
// allocates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/cidr.h"
#include "common/result.h"
#include "detect/response.h"
#include "detect/source_table.h"
#include "detect/user_hash.h"
#include "detect/window.h"

namespace sipguard::detect {

inline constexpr uint32_t kMaxDistinctLimit = 32;

struct EnumerationConfig {
  Duration window = std::chrono::seconds(60);
  uint32_t distinct_limit = 10;  // 2 .. kMaxDistinctLimit
  size_t capacity = 16384;       // 1 .. SourceTable::kMaxCapacity
  int v6_prefix_len = 64;        // 1..128
  CidrSet trusted;
  uint64_t hash_seed = 0;  // 0 = random (tests may fix it)
};

// True for the answers that mean "no such user": 404, 484, 604.
bool IsNotFoundStatus(int status);

class EnumerationDetector {
 public:
  static Result<EnumerationDetector> Create(EnumerationConfig config);

  // Counts one response. `report` is true at most once per source per
  // window; `count` is then the distinct users not found in the window.
  ResponseVerdict Observe(const ResponseSample& sample, TimePoint now);

  size_t tracked() const { return table_.size(); }
  size_t capacity() const { return table_.capacity(); }
  uint64_t evictions() const { return table_.evictions(); }

 private:
  struct State {
    TimePoint start;
    std::array<uint32_t, kMaxDistinctLimit> users{};
    uint8_t distinct = 0;
    bool reported = false;
  };

  explicit EnumerationDetector(EnumerationConfig config);

  EnumerationConfig config_;
  UserHasher hasher_;
  SourceTable<State> table_;
};

}  // namespace sipguard::detect
