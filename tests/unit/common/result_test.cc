#include "common/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace sipguard {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return Error("odd value " + std::to_string(v));
  return v / 2;
}

TEST(ResultTest, CarriesValueOrError) {
  auto ok = Half(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 4);
  auto bad = Half(7);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "odd value 7");
  EXPECT_EQ(bad.error().sys_errno(), 0);
}

TEST(ResultTest, MovesOnlyTypes) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(3));
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 3);
}

TEST(ResultTest, StatusKeepsErrno) {
  Status s = Error("open /nonexistent: No such file or directory", 2);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().sys_errno(), 2);
  EXPECT_TRUE(Status().ok());
}

}  // namespace
}  // namespace sipguard
