#include "common/sanitize.h"

#include <gtest/gtest.h>

#include <string>

namespace sipguard {
namespace {

std::string Sanitized(std::string_view in, size_t max_len) {
  std::string out;
  SanitizeField(in, max_len, &out);
  return out;
}

bool IsSafe(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7e || c == '|') return false;
  }
  return true;
}

TEST(SanitizeTest, EscapesTable) {
  using namespace std::string_view_literals;
  struct Case {
    std::string_view in;
    size_t max_len;
    std::string_view out;
  };
  const Case cases[] = {
      {"", 10, "-"},
      {"abc", 10, "abc"},
      {"sip:alice@example.com;tag=1", 64, "sip:alice@example.com;tag=1"},
      {" ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{}", 64, " ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{}"},
      {"a|b", 10, "a\\x7cb"},
      {"a\r\nb", 20, "a\\x0d\\x0ab"},
      {"\0"sv, 10, "\\x00"},
      {"\x7f", 10, "\\x7f"},
      {"\x1b[31m", 20, "\\x1b[31m"},
      {"caf\xc3\xa9", 20, "caf\\xc3\\xa9"},  // non-ASCII: per byte
      {"\xff", 10, "\\xff"},
      {"\t", 10, "\\x09"},
      // Truncation: output <= max_len, ends in "...", never half an escape.
      {"abcdefghij", 10, "abcdefghij"},
      {"abcdefghijk", 10, "abcdefg..."},
      {"abcdef|hijk", 10, "abcdef..."},  // "\x7c" would not fit whole
      {"abc|efghijk", 10, "abc\\x7c..."},
      {"||||", 16, "\\x7c\\x7c\\x7c\\x7c"},
      {"|||||", 16, "\\x7c\\x7c\\x7c..."},
      {"abcd", 3, "..."},
      {"abcd", 2, ".."},
      {"abcd", 0, ""},
      {"", 0, ""},
      {"a", 1, "a"},
      {"|", 3, "..."},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message()
                 << "in=" << ::testing::PrintToString(std::string(c.in)) << " max=" << c.max_len);
    const std::string out = Sanitized(c.in, c.max_len);
    EXPECT_EQ(out, c.out);
    EXPECT_LE(out.size(), c.max_len);
    EXPECT_TRUE(IsSafe(out));
  }
}

TEST(SanitizeTest, AppendsWithoutClearing) {
  std::string out = "x=";
  SanitizeField("a|b", 32, &out);
  EXPECT_EQ(out, "x=a\\x7cb");
}

TEST(SanitizeTest, EveryByteIsSafeAndBoundedAndIdempotent) {
  // All 256 byte values, at every length limit around the escape sizes.
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t max_len = 0; max_len < 1100; max_len += (max_len < 40 ? 1 : 37)) {
    SCOPED_TRACE(max_len);
    const std::string once = Sanitized(all, max_len);
    EXPECT_TRUE(IsSafe(once));
    EXPECT_LE(once.size(), max_len);
    EXPECT_EQ(Sanitized(once, max_len), once);  // the agent re-sanitizes
  }
  const std::string full = Sanitized(all, 2000);
  // 94 printable bytes kept; '|' and the 161 others escaped as 4 bytes each.
  EXPECT_EQ(full.size(), 94u + 162u * 4u);
}

TEST(SanitizeTest, QuoteForError) {
  EXPECT_EQ(QuoteForError("a|b"), "\"a\\x7cb\"");
  EXPECT_EQ(QuoteForError(""), "\"\"");
  EXPECT_EQ(QuoteForError(std::string(1000, 'a')).size(), 66u);
}

}  // namespace
}  // namespace sipguard
