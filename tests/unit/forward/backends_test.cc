// Rendezvous hashing: stable, balanced, and a backend's loss moves only its
// own calls.
#include "forward/backends.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "forward_test_util.h"

namespace sipguard::forward {
namespace {

using testing::Ep;

const SipKey kKey = {0x1111, 0x2222};

std::vector<Backend> Five() {
  std::vector<Backend> b;
  for (int i = 1; i <= 5; ++i) b.push_back({Ep("192.0.2." + std::to_string(i), 5060), true});
  return b;
}

std::string CallId(int i) { return "call-" + std::to_string(i) + "@203.0.113.7"; }

TEST(Rendezvous, NoHealthyBackendIsNull) {
  std::vector<Backend> b = Five();
  for (Backend& x : b) x.healthy = false;
  EXPECT_EQ(PickBackend(b, "x", kKey), nullptr);
  EXPECT_EQ(PickBackend({}, "x", kKey), nullptr);
}

TEST(Rendezvous, SameCallIdSameBackendWhateverTheOrder) {
  std::vector<Backend> b = Five();
  std::vector<Backend> reversed(b.rbegin(), b.rend());
  for (int i = 0; i < 200; ++i) {
    const Backend* x = PickBackend(b, CallId(i), kKey);
    const Backend* y = PickBackend(reversed, CallId(i), kKey);
    ASSERT_NE(x, nullptr);
    ASSERT_NE(y, nullptr);
    EXPECT_EQ(x->endpoint, y->endpoint);
    EXPECT_EQ(PickBackend(b, CallId(i), kKey), x);
  }
}

TEST(Rendezvous, RoughlyBalanced) {
  std::vector<Backend> b = Five();
  std::map<std::string, int> count;
  for (int i = 0; i < 5000; ++i) ++count[PickBackend(b, CallId(i), kKey)->endpoint.ip.ToString()];
  ASSERT_EQ(count.size(), 5U);
  for (const auto& [ip, n] : count) {
    EXPECT_GT(n, 800) << ip;
    EXPECT_LT(n, 1200) << ip;
  }
}

// Table: which backend goes down; only its calls may move, and they come
// back when it recovers.
TEST(Rendezvous, LosingABackendMovesOnlyItsCalls) {
  for (size_t down = 0; down < 5; ++down) {
    std::vector<Backend> all = Five();
    std::vector<Backend> less = all;
    less[down].healthy = false;
    int moved = 0;
    for (int i = 0; i < 2000; ++i) {
      Endpoint before = PickBackend(all, CallId(i), kKey)->endpoint;
      Endpoint after = PickBackend(less, CallId(i), kKey)->endpoint;
      if (before == all[down].endpoint) {
        EXPECT_NE(after, all[down].endpoint);
        ++moved;
      } else {
        EXPECT_EQ(after, before) << "call " << i << " moved although its backend is up";
      }
    }
    EXPECT_GT(moved, 0);
  }
}

TEST(Rendezvous, KeyChangesTheChoice) {
  std::vector<Backend> b = Five();
  int differ = 0;
  for (int i = 0; i < 100; ++i) {
    differ += PickBackend(b, CallId(i), kKey) != PickBackend(b, CallId(i), SipKey{7, 8}) ? 1 : 0;
  }
  EXPECT_GT(differ, 50);
}

}  // namespace
}  // namespace sipguard::forward
