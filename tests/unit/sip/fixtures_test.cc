// Data-driven validator tests: tests/fixtures/sip/<check>/<case>.sip.
//
// The directory names the Check that must fire ("valid" for messages that
// must be forwarded). The file holds the raw message bytes, nothing else.
// Name suffixes change the expectation:
//   .drop  the verdict must be a silent drop even though the check has a
//          reply code (responses, ACKs, unroutable requests);
//   .tcp   validate with stream framing instead of datagram framing.
// Adding a case is adding a file. Every Check must have at least one fixture.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sip/validator.h"

namespace sipguard::sip {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  fs::path path;
  std::string check;  // directory name
  bool drop = false;
  bool tcp = false;
};

std::vector<Fixture> LoadFixtures() {
  std::vector<Fixture> out;
  for (const auto& dir : fs::directory_iterator(SIPGUARD_FIXTURE_DIR)) {
    if (!dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      if (f.path().extension() != ".sip") continue;
      std::string stem = f.path().stem().string();
      Fixture fx{f.path(), dir.path().filename().string()};
      fx.drop = stem.find(".drop") != std::string::npos;
      fx.tcp = stem.find(".tcp") != std::string::npos;
      out.push_back(fx);
    }
  }
  return out;
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class FixtureTest : public ::testing::TestWithParam<Fixture> {};

TEST_P(FixtureTest, ProducesItsVerdict) {
  const Fixture& fx = GetParam();
  Check want = CheckByName(fx.check);
  ASSERT_NE(want, Check::kCount) << "directory " << fx.check << " names no validator check";
  ValidatorOptions options;
  options.transport = fx.tcp ? Transport::kStream : Transport::kDatagram;
  auto msg = std::make_unique<Message>();
  Verdict v = ParseAndValidate(ReadAll(fx.path), options, msg.get());
  EXPECT_EQ(Describe(v.check).name, fx.check)
      << fx.path << ": " << Describe(v.check).reason << " " << v.detail;
  if (want == Check::kValid) {
    EXPECT_EQ(v.action, Action::kForward) << fx.path;
  } else if (fx.drop || Describe(want).status == 0) {
    EXPECT_EQ(v.action, Action::kDrop) << fx.path;
  } else {
    EXPECT_EQ(v.action, Action::kReply) << fx.path;
    EXPECT_EQ(v.status, Describe(want).status) << fx.path;
  }
}

std::string FixtureName(const ::testing::TestParamInfo<Fixture>& info) {
  std::string name = info.param.check + "_" + info.param.path.stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureTest, ::testing::ValuesIn(LoadFixtures()), FixtureName);

TEST(FixtureCoverage, EveryCheckHasAFixture) {
  std::map<std::string, int> seen;
  for (const Fixture& fx : LoadFixtures()) ++seen[fx.check];
  for (const CheckInfo& info : AllChecks()) {
    EXPECT_GT(seen[std::string(info.name)], 0)
        << "no fixture proves check '" << info.name << "' fires: add tests/fixtures/sip/"
        << info.name << "/<case>.sip";
  }
}

}  // namespace
}  // namespace sipguard::sip
