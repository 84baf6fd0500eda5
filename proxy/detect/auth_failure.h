// AuthFailureDetector: password guessing (sipvicious svcrack, and the many
// REGISTER/INVITE brute-forcers like it), seen in the backends' answers.
//
// Feed it every final response to a REGISTER or INVITE (other methods are
// ignored) with ResponseSample. Per source, in fixed windows (window.h), it
// counts challenges (401, 407) and refusals (403), and asks for ONE
// `auth-failure` event per source per window when either rule holds:
//   - refusals >= forbidden_limit: the backend said "wrong credentials" that
//     often (Asterisk, FreeSWITCH and Kamailio with an auth_check failure
//     answer 403 to a wrong password);
//   - a refusal arrives after challenges >= challenge_limit: many challenges
//     then a 403 is the svcrack pattern against backends that re-challenge
//     a wrong password and refuse only at the end.
// Challenges alone never fire: every REGISTER refresh and every INVITE of a
// healthy phone is challenged once, and a NAT with a hundred phones produces
// hundreds of 401s a minute. Successes do not reset anything, so an attacker
// cannot launder its failures by interleaving one valid registration.
//
// Defaults (window 60 s, forbidden_limit 5, challenge_limit 10): a person
// who mistypes a password on a phone produces one or two 403s before the
// phone gives up or retries after its registration interval (>= 60 s);
// svcrack tries hundreds of passwords a second. 5 refusals a minute from one
// address is already far outside what phones do; the agent's score and ban
// policy decides what to do with one event.
//
// Trusted sources (CidrSet) are ignored. IPv6 sources are grouped by
// /v6_prefix_len. Memory: a SourceTable of `capacity` entries, allocated
// once; only sources that got a 401/403/407 take a slot; eviction as in
// source_table.h (least failures in the current window first).
//
// Thread-safety: none; one instance per worker thread (see flood.h about
// steering a source to one worker). Failure: Create() returns an Error
// naming the bad field; Observe() cannot fail and never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/cidr.h"
#include "common/result.h"
#include "detect/response.h"
#include "detect/source_table.h"
#include "detect/window.h"

namespace sipguard::detect {

struct AuthFailureConfig {
  Duration window = std::chrono::seconds(60);
  uint32_t forbidden_limit = 5;   // 403s per window (>= 1)
  uint32_t challenge_limit = 10;  // 401/407s per window before a 403 (>= 1)
  size_t capacity = 16384;        // 1 .. SourceTable::kMaxCapacity
  int v6_prefix_len = 64;         // 1..128
  CidrSet trusted;
};

class AuthFailureDetector {
 public:
  static Result<AuthFailureDetector> Create(AuthFailureConfig config);

  // Counts one response. `report` is true at most once per source per
  // window; `count` is then the challenges plus refusals of the window.
  ResponseVerdict Observe(const ResponseSample& sample, TimePoint now);

  size_t tracked() const { return table_.size(); }
  size_t capacity() const { return table_.capacity(); }
  uint64_t evictions() const { return table_.evictions(); }

 private:
  struct State {
    TimePoint start;
    uint32_t challenges = 0;
    uint32_t forbidden = 0;
    bool reported = false;
  };

  explicit AuthFailureDetector(AuthFailureConfig config);

  AuthFailureConfig config_;
  SourceTable<State> table_;
};

}  // namespace sipguard::detect
