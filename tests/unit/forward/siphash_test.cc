#include "forward/siphash.h"

#include <gtest/gtest.h>

#include <string>

namespace sipguard::forward {
namespace {

// Reference vectors of the SipHash paper: key 00..0f, message 00..(n-1).
TEST(SipHash, MatchesReferenceVectors) {
  const SipKey key = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  std::string msg;
  for (int i = 0; i < 15; ++i) msg.push_back(static_cast<char>(i));
  EXPECT_EQ(SipHasher(key).Finish(), 0x726fdb47dd0e0e31ULL);
  SipHasher h(key);
  h.Update(msg);
  EXPECT_EQ(h.Finish(), 0xa129ca6149be45e5ULL);
}

TEST(SipHash, IncrementalEqualsOneShot) {
  const SipKey key = {1, 2};
  std::string msg = "a84b4c76e66710@203.0.113.7 and some more bytes to cross words";
  SipHasher one(key);
  one.Update(msg);
  for (size_t split = 0; split <= msg.size(); ++split) {
    SipHasher two(key);
    two.Update(std::string_view(msg).substr(0, split));
    two.Update(std::string_view(msg).substr(split));
    EXPECT_EQ(two.Finish(), one.Finish()) << split;
  }
}

TEST(SipHash, FieldsDoNotRunTogetherAndKeyMatters) {
  SipHasher a({1, 2}), b({1, 2}), c({1, 3});
  a.Field("ab");
  a.Field("c");
  b.Field("a");
  b.Field("bc");
  c.Field("ab");
  c.Field("c");
  EXPECT_NE(a.Finish(), b.Finish());
  EXPECT_NE(a.Finish(), c.Finish());
}

TEST(SipHash, HexIsSixteenLowerCaseDigits) {
  char out[16];
  PutHex64(0x0123456789abcdefULL, out);
  EXPECT_EQ(std::string(out, 16), "0123456789abcdef");
}

}  // namespace
}  // namespace sipguard::forward
