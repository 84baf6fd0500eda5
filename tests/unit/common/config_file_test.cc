// ConfigFile: what it accepts, and that every error names file and line.
#include "common/config_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace sipguard {
namespace {

TEST(ConfigFile, SplitsSectionsKeysAndRepeatedValues) {
  auto c = ConfigFile::Parse(
      "# proxy\n"
      "max-forwards = 10\n"
      "\n"
      "[listen]\n"
      "  listen = udp:[::]:5060  \r\n"
      "listen=tcp:192.0.2.1:5060\n"
      "; scanner list\n"
      "user-agent = friendly-scanner # not a comment\n"
      "empty =\n",
      "proxy.conf");
  ASSERT_TRUE(c.ok()) << c.error().message();
  const auto& e = c->entries();
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0].section, "");
  EXPECT_EQ(e[0].key, "max-forwards");
  EXPECT_EQ(e[0].value, "10");
  EXPECT_EQ(e[1].section, "listen");
  EXPECT_EQ(e[1].value, "udp:[::]:5060");
  EXPECT_EQ(e[2].value, "tcp:192.0.2.1:5060");
  EXPECT_EQ(e[3].value, "friendly-scanner # not a comment");
  EXPECT_EQ(e[4].value, "");
  EXPECT_EQ(Where(e[2]), "proxy.conf:6");
  EXPECT_EQ(ConfigError(e[2], "port in use").message(),
            "proxy.conf:6: [listen] listen: port in use");
}

struct BadCase {
  std::string text;
  std::string message;  // exact
};

class ConfigFileErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigFileErrors, NameFileLineAndProblem) {
  auto c = ConfigFile::Parse(GetParam().text, "agent.conf");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigFileErrors,
    ::testing::Values(
        BadCase{
            "a = 1\nlisten udp:[::]:5060\n",
            "agent.conf:2: expected 'key = value' or '[section]', got \"listen udp:[::]:5060\""},
        BadCase{"[agent\n", "agent.conf:1: expected ']' to close the section name"},
        BadCase{"[]\n", "agent.conf:1: bad section name \"\""},
        BadCase{"Listen = x\n",
                "agent.conf:1: bad key \"Listen\" (lower-case letters, digits, -_.)"},
        BadCase{" = x\n", "agent.conf:1: bad key \"\" (lower-case letters, digits, -_.)"},
        BadCase{std::string("a = b\0c\n", 8), "agent.conf:1: control character in line"},
        BadCase{"a = " + std::string(5000, 'x') + "\n",
                "agent.conf:1: line longer than 4096 bytes"}));

TEST(ConfigFile, DropInsFollowTheMainFileInLexicalOrder) {
  auto dir = std::filesystem::temp_directory_path() / ("sipguard-conf-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "conf.d");
  std::ofstream(dir / "agent.conf") << "threshold = 10\n";
  std::ofstream(dir / "conf.d" / "20-late.conf") << "threshold = 30\n";
  std::ofstream(dir / "conf.d" / "10-early.conf") << "threshold = 20\n";
  std::ofstream(dir / "conf.d" / "ignored.txt") << "threshold = 99\n";
  auto c = ConfigFile::LoadWithDropIns((dir / "agent.conf").string(), (dir / "conf.d").string());
  auto missing_dir =
      ConfigFile::LoadWithDropIns((dir / "agent.conf").string(), (dir / "none").string());
  auto missing_main = ConfigFile::Load((dir / "nope.conf").string());
  std::ofstream(dir / "conf.d" / "30-broken.conf") << "oops\n";
  auto broken =
      ConfigFile::LoadWithDropIns((dir / "agent.conf").string(), (dir / "conf.d").string());
  std::filesystem::remove_all(dir);

  ASSERT_TRUE(c.ok()) << c.error().message();
  ASSERT_EQ(c->entries().size(), 3u);
  EXPECT_EQ(c->entries()[1].value, "20");
  EXPECT_EQ(c->entries()[2].value, "30");
  EXPECT_NE(c->entries()[2].file.find("20-late.conf"), std::string::npos);
  EXPECT_TRUE(missing_dir.ok());
  ASSERT_FALSE(missing_main.ok());
  EXPECT_NE(missing_main.error().message().find("nope.conf: No such file"), std::string::npos);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message().find("30-broken.conf:1: expected"), std::string::npos);
}

}  // namespace
}  // namespace sipguard
