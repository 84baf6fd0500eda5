#include "common/duration.h"

#include <gtest/gtest.h>

namespace sipguard {
namespace {

TEST(Duration, ParsesOperatorForms) {
  struct {
    const char* text;
    int64_t seconds;
  } cases[] = {{"90s", 90},  {"15m", 900}, {"2h", 7200},    {"7d", 604800},     {"1w", 604800},
               {"300", 300}, {"0s", 0},    {"1h30m", 5400}, {"1d 12h", 129600}, {"0", 0}};
  for (const auto& c : cases) {
    auto d = ParseDuration(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.error().message();
    EXPECT_EQ(d->count(), c.seconds) << c.text;
  }
}

TEST(Duration, RejectsWithAMessageNamingTheInput) {
  for (const char* bad :
       {"", " ", "-5m", "5x", "h", "1.5h", "10 20", "99999999999999999999s", "4000d", "5m\n"}) {
    auto d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << "accepted: " << bad;
    EXPECT_EQ(d.error().message().rfind("bad duration ", 0), 0u) << d.error().message();
  }
}

TEST(Duration, FormatsShortestExactForm) {
  EXPECT_EQ(FormatDuration(std::chrono::seconds(0)), "0s");
  EXPECT_EQ(FormatDuration(std::chrono::seconds(5400)), "1h30m");
  EXPECT_EQ(FormatDuration(std::chrono::seconds(604800 + 61)), "7d1m1s");
  for (int64_t s : {1, 59, 3599, 86401, 1234567}) {
    auto round = ParseDuration(FormatDuration(std::chrono::seconds(s)));
    ASSERT_TRUE(round.ok());
    EXPECT_EQ(round->count(), s);
  }
}

}  // namespace
}  // namespace sipguard
