#include "store/score.h"

#include <cmath>

namespace sipguard::store {
namespace {

double Halves(int64_t from_ms, int64_t to_ms, int64_t half_life_ms) {
  return static_cast<double>(to_ms - from_ms) / static_cast<double>(half_life_ms);
}

}  // namespace

double DecayScore(double score, int64_t t_ms, int64_t now_ms, int64_t half_life_ms) {
  if (score <= 0) return 0;
  return score * std::exp2(-Halves(t_ms, now_ms, half_life_ms));
}

double ScoreKey(double score, int64_t t_ms, int64_t half_life_ms) {
  if (!(score > 0)) return kZeroScoreKey;
  return std::log2(score) + Halves(0, t_ms, half_life_ms);
}

double ScoreFromKey(double key, int64_t now_ms, int64_t half_life_ms) {
  if (key == kZeroScoreKey) return 0;
  return std::exp2(key - Halves(0, now_ms, half_life_ms));
}

void DecayingScore::Add(double weight, int64_t event_ms, int64_t half_life_ms) {
  if (event_ms >= t_ms) {
    score = DecayScore(score, t_ms, event_ms, half_life_ms) + weight;
    t_ms = event_ms;
  } else {
    score += DecayScore(weight, event_ms, t_ms, half_life_ms);
  }
}

}  // namespace sipguard::store
