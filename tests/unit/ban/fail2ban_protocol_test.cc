#include "ban/fail2ban_protocol.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "lib/strict.h"

namespace sipguard::ban::fail2ban {
namespace {

using Kind = PickleValue::Kind;

std::string B(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// Expected bytes: pickletools.optimize(pickle.dumps(ARGS, 2)) from python3.
TEST(PickleWriter, MatchesPythonProtocol2) {
  // X<len32 LE><utf-8>: BINUNICODE.
  auto x = [](std::string_view s) {
    return B({'X', static_cast<int>(s.size()), 0, 0, 0}) + std::string(s);
  };
  std::vector<std::string> ban = {"set", "sipguard-agent", "banip", "198.51.100.7"};
  EXPECT_EQ(*PickleStringList(ban), B({0x80, 0x02, ']', '('}) + x("set") + x("sipguard-agent") +
                                        x("banip") + x("198.51.100.7") + "e.");
  EXPECT_EQ(x("banip"), B({0x58, 0x05, 0x00, 0x00, 0x00, 0x62, 0x61, 0x6e, 0x69, 0x70}));
  std::vector<std::string> ping = {"ping"};
  EXPECT_EQ(*PickleStringList(ping), B({0x80, 0x02, 0x5d, 0x58, 0x04, 0x00, 0x00, 0x00, 0x70, 0x69,
                                        0x6e, 0x67, 0x61, 0x2e}));
  std::vector<std::string> none;
  EXPECT_EQ(*PickleStringList(none), B({0x80, 0x02, 0x5d, 0x2e}));
  std::vector<std::string> unban = {"set", "sipguard-agent", "unbanip", "2001:db8::7",
                                    "198.51.100.8"};
  EXPECT_EQ(*PickleStringList(unban), B({0x80, 0x02, ']', '('}) + x("set") + x("sipguard-agent") +
                                          x("unbanip") + x("2001:db8::7") + x("198.51.100.8") +
                                          "e.");
}

TEST(PickleWriter, EncodeCommandAppendsTheEndMarker) {
  std::vector<std::string> ping = {"ping"};
  EXPECT_EQ(*EncodeCommand(ping), B({0x80, 0x02, 0x5d, 0x58, 0x04, 0x00, 0x00, 0x00, 0x70, 0x69,
                                     0x6e, 0x67, 0x61, 0x2e}) +
                                      "<F2B_END_COMMAND>");
}

// The same check against the python3 on this machine, for a list the
// hard-coded vectors do not cover (long argument: length > 255).
TEST(PickleWriter, MatchesPythonLive) {
  FILE* probe = popen("command -v python3 >/dev/null 2>&1 && echo yes", "r");
  char buf[8] = {};
  bool have = probe != nullptr && fgets(buf, sizeof(buf), probe) != nullptr;
  if (probe != nullptr) pclose(probe);
  SIPGUARD_REQUIRE(have, "python3 (to compare pickle bytes)");
  std::vector<std::string> args = {"set", "j", "banip", std::string(300, 'a'), "x y"};
  FILE* py = popen(
      "python3 -c 'import pickle,pickletools,sys;"
      "sys.stdout.buffer.write(pickletools.optimize(pickle.dumps("
      "[\"set\",\"j\",\"banip\",\"a\"*300,\"x y\"],2)))'",
      "r");
  ASSERT_NE(py, nullptr);
  std::string want;
  char chunk[512];
  size_t n = 0;
  while ((n = fread(chunk, 1, sizeof(chunk), py)) > 0) want.append(chunk, n);
  ASSERT_EQ(pclose(py), 0);
  EXPECT_EQ(*PickleStringList(args), want);
}

TEST(PickleWriter, RefusesMarkersAndOddBytes) {
  for (std::string bad :
       {std::string("1.2.3.4<F2B_END_COMMAND>"), std::string("<F2B_CLOSE_COMMAND>"),
        std::string("a<F2B_END_COMMAND>b"), std::string(""), std::string("a\nb"),
        std::string("caf\xc3\xa9"), std::string(1, '\0'), std::string(kMaxArgLength + 1, 'a')}) {
    std::vector<std::string> args = {"set", "sipguard-agent", "banip", bad};
    Result<std::string> r = EncodeCommand(args);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message().find("refusing"), std::string::npos) << r.error().message();
  }
  Result<std::string> r =
      EncodeCommand(std::vector<std::string>{"set", "<F2B_END_COMMAND>", "banip", "1.2.3.4"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("marker"), std::string::npos) << r.error().message();
  // Near-misses are fine.
  EXPECT_TRUE(EncodeCommand(std::vector<std::string>{"<F2B_END_COMMAND"}).ok());
  std::vector<std::string> many(kMaxArgs + 1, "a");
  EXPECT_FALSE(EncodeCommand(many).ok());
}

// Replies as fail2ban-server writes them: pickle.dumps(REPLY, 5).
TEST(PickleReader, ReadsServerReplies) {
  Result<Reply> r =
      ParseReply(B({0x80, 0x05, 0x95, 0x07, 0, 0, 0, 0, 0, 0, 0, 'K', 0, 'K', 1, 0x86, 0x94, '.'}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->code, 0);
  EXPECT_EQ(r->value.kind, Kind::kInt);
  EXPECT_EQ(r->value.integer, 1);

  r = ParseReply(B({0x80, 0x05, 0x95, 0x0c, 0,   0,   0,   0,    0,    0,    0,  'K',
                    0,    0x8c, 4,    'p',  'o', 'n', 'g', 0x94, 0x86, 0x94, '.'}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->value.kind, Kind::kString);
  EXPECT_EQ(r->value.text, "pong");

  // (0, [1, 'a', None, True, (2,)])
  r = ParseReply(
      B({0x80, 0x05, 0x95, 0x15, 0,   0,    0,   0,    0,   0, 0,    'K',  0,   ']',  0x94, '(',
         'K',  1,    0x8c, 1,    'a', 0x94, 'N', 0x88, 'K', 2, 0x85, 0x94, 'e', 0x86, 0x94, '.'}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->value.ToString(), "[1, 'a', None, True, (2,)]");

  // (0, None), protocol 2 with BINPUT memo: (0, [1, 'a'])
  r = ParseReply(B({0x80, 0x05, 0x95, 0x06, 0, 0, 0, 0, 0, 0, 0, 'K', 0, 'N', 0x86, 0x94, '.'}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value.kind, Kind::kNone);
  r = ParseReply(B({0x80, 0x02, 'K', 0,   ']', 'q', 0,   '(',  'K', 1, 'X', 1,
                    0,    0,    0,   'a', 'q', 1,   'e', 0x86, 'q', 2, '.'}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->value.ToString(), "[1, 'a']");
}

TEST(PickleReader, Integers) {
  struct Case {
    std::string bytes;
    int64_t want;
  } cases[] = {
      {B({0x80, 5, 'J', 0xfb, 0xff, 0xff, 0xff, '.'}), -5},
      {B({0x80, 5, 'J', 0x70, 0x11, 0x01, 0x00, '.'}), 70000},
      {B({0x80, 5, 'M', 0x10, 0x27, '.'}), 10000},
      {B({0x80, 5, 0x8a, 6, 0, 0, 0, 0, 0, 1, '.'}), int64_t{1} << 40},
      {B({0x80, 5, 0x8a, 6, 0, 0, 0, 0, 0, 0xff, '.'}), -(int64_t{1} << 40)},
      {B({0x80, 5, 0x8a, 0, '.'}), 0},
  };
  for (const Case& c : cases) {
    Result<PickleValue> v = ReadPickle(c.bytes);
    ASSERT_TRUE(v.ok()) << v.error().message();
    EXPECT_EQ(v->kind, Kind::kInt);
    EXPECT_EQ(v->integer, c.want);
  }
}

// (1, ValueError('not banned: x')) as the server pickles a failed command:
// never decoded (STACK_GLOBAL, REDUCE), only described.
TEST(PickleReader, FailureReplyIsDescribedNotDecoded) {
  std::string bytes = B({0x80, 0x05, 0x95, 0x33, 0, 0, 0, 0, 0, 0, 0, 'K', 1, 0x8c, 8}) +
                      "builtins" + B({0x94, 0x8c, 0x0a}) + "ValueError" +
                      B({0x94, 0x93, 0x94, 0x8c, 0x0d}) + "not banned: x" +
                      B({0x94, 0x85, 0x94, 'R', 0x94, 0x86, 0x94, '.'});
  Result<PickleValue> strict = ReadPickle(bytes);
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.error().message().find("0x93"), std::string::npos) << strict.error().message();
  Result<Reply> r = ParseReply(bytes);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->code, 1);
  EXPECT_EQ(r->error, "builtins.ValueError: not banned: x");

  // asyncserver's own "ERROR: ..." answer is a bare str.
  r = ParseReply(B({0x80, 0x05, 0x95, 0x0f, 0, 0, 0, 0, 0, 0, 0, 0x8c, 0x0b}) + "ERROR: boom" +
                 B({0x94, '.'}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->code, 1);
  EXPECT_EQ(r->error, "ERROR: boom");
}

TEST(PickleReader, RejectsCodeExecutionAndGarbage) {
  const std::string bad[] = {
      // cos\nsystem\n(S'id'\ntR.  : the classic os.system payload (protocol 0)
      "cos\nsystem\n(S'id'\ntR.",
      // (0, <GLOBAL ...>): a success reply carrying an object
      B({0x80, 2, 'K', 0}) + "cbuiltins\neval\n" + B({0x86, '.'}),
      B({0x80, 5, 0x8c, 1, 'a', 0x8c, 1, 'b', 0x93, '.'}),  // STACK_GLOBAL
      B({0x80, 2, 'N', ')', 'R', '.'}),                     // REDUCE
      B({0x80, 2, '}', '.'}),                               // dict: unsupported
      B({0x80, 2, 'N'}),                                    // no STOP
      B({0x80, 2, 'N', '.', 'N'}),                          // bytes after STOP
      B({0x80, 2, 'N', 'N', '.'}),                          // two values
      B({0x80, 2, '.'}),                                    // no value
      B({0x80, 9, 'N', '.'}),                               // unknown protocol
      B({0x80, 2, 'X', 0xff, 0xff, 0xff, 0x7f, 'a', '.'}),  // length past the end
      B({0x80, 2, 'a', '.'}),                               // APPEND on nothing
      B({0x80, 2, 'N', 'e', '.'}),                          // APPENDS without MARK
      B({0x80, 2, 'h', 3, '.'}),                            // GET of nothing
      B({0x80, 2, ']', 'q', 0, 'h', 0, 'a', 'h', 0, '.'}),  // shared (self-)list
      "",
  };
  for (const std::string& b : bad) {
    EXPECT_FALSE(ReadPickle(b).ok()) << ::testing::PrintToString(b);
    Result<Reply> r = ParseReply(b);
    EXPECT_FALSE(r.ok() && r->code == 0) << ::testing::PrintToString(b);
  }
  // A success reply that is not (code, value).
  EXPECT_FALSE(ParseReply(B({0x80, 2, 'K', 0, '.'})).ok());
  EXPECT_FALSE(ParseReply(B({0x80, 2, 'K', 7, 'N', 0x86, '.'})).ok());
}

TEST(PickleReader, Budgets) {
  // Deep nesting: [[[[...]]]] beyond kMaxPickleDepth.
  std::string deep = B({0x80, 2});
  for (size_t i = 0; i < kMaxPickleDepth + 2; ++i) deep += "]";
  for (size_t i = 0; i < kMaxPickleDepth + 1; ++i) deep += "a";
  deep += ".";
  Result<PickleValue> v = ReadPickle(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("too deep"), std::string::npos) << v.error().message();
  // Exponential copies through the memo: t = (t, t) repeated.
  std::string blowup = B({0x80, 2, 'N', 'q', 0});
  for (int i = 0; i < 40; ++i) blowup += B({'h', 0, 'h', 0, 0x86, 'q', 0});
  blowup += B({'.'});
  v = ReadPickle(blowup);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("too many values"), std::string::npos) << v.error().message();
  EXPECT_FALSE(ReadPickle(std::string(kMaxPickleBytes + 1, 'N')).ok());
}

TEST(PickleLexer, StopsAtUnknownOpcodes) {
  std::vector<std::string> s =
      LexPickleStrings(B({0x80, 2, 0x8c, 2, 'h', 'i', 0xff, 0x8c, 1, 'x'}));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0], "hi");
  s = LexPickleStrings("cfail2ban.server.jails\nUnknownJailException\n(X" + B({3, 0, 0, 0}) +
                       "noptR.");
  ASSERT_EQ(s.size(), 2u) << ::testing::PrintToString(s);
  EXPECT_EQ(s[0], "fail2ban.server.jails.UnknownJailException");
  EXPECT_EQ(s[1], "nop");
  // Control characters from the wire never reach a message raw.
  s = LexPickleStrings(B({0x8c, 3, 'a', '\n', 'b'}));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0], "a\\x0ab");
}

}  // namespace
}  // namespace sipguard::ban::fail2ban
