// Exponentially decaying scores and the monotonic key that orders them.
//
// A score s computed at time t (milliseconds) is worth, at a later time now,
//   s(now) = s * 2^(-(now - t) / half_life)
// Comparing two such scores at the same `now` compares
//   key = log2(s) + t / half_life
// since log2(s(now)) = key - now / half_life: the key does not depend on
// `now`, so an index on it orders offenders by their CURRENT score forever,
// without rewriting rows as time passes. A score of 0 (or less) has key
// kZeroScoreKey, below every positive score.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <limits>

namespace sipguard::store {

inline constexpr double kZeroScoreKey = std::numeric_limits<double>::lowest();

// s * 2^(-(now_ms - t_ms) / half_life_ms). `now_ms` may be before `t_ms`
// (then the score grows back, as the formula says). half_life_ms > 0.
double DecayScore(double score, int64_t t_ms, int64_t now_ms, int64_t half_life_ms);

// log2(score) + t_ms / half_life_ms, or kZeroScoreKey if score <= 0.
double ScoreKey(double score, int64_t t_ms, int64_t half_life_ms);

// The score at now_ms of a row with this key (0 for kZeroScoreKey).
double ScoreFromKey(double key, int64_t now_ms, int64_t half_life_ms);

// A running score: the state of one offender, to which events are added.
struct DecayingScore {
  double score = 0;
  int64_t t_ms = 0;

  // Adds `weight` for an event at `event_ms`. A later event moves the score's
  // time forward (decaying the old score first); an earlier one (events of
  // a batch are not always in order across sources) is decayed to t_ms.
  void Add(double weight, int64_t event_ms, int64_t half_life_ms);
};

}  // namespace sipguard::store
