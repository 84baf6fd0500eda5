// Properties over the SIP fixture corpus (tests/fixtures/sip, and
// tests/fixtures/forward with the same layout):
//  - every valid request forwards to bytes that parse and validate, with
//    exactly one more Via and a byte-identical body (or, for the few that
//    the forwarding rules refuse, a reply that parses and validates);
//  - every stateless reply to an invalid fixture with a reply status parses
//    and validates as a response with that status.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "forward_test_util.h"

namespace sipguard::forward {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
namespace fs = std::filesystem;

struct Fixture {
  fs::path path;
  std::string check;
  bool tcp = false;
};

std::vector<Fixture> Load() {
  std::vector<Fixture> out;
  for (const char* root : {SIPGUARD_SIP_FIXTURE_DIR, SIPGUARD_FORWARD_FIXTURE_DIR}) {
    if (!fs::is_directory(root)) continue;
    for (const auto& dir : fs::directory_iterator(root)) {
      if (!dir.is_directory()) continue;
      for (const auto& f : fs::directory_iterator(dir.path())) {
        if (f.path().extension() != ".sip") continue;
        Fixture fx{f.path(), dir.path().filename().string()};
        fx.tcp = f.path().stem().string().find(".tcp") != std::string::npos;
        out.push_back(fx);
      }
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

class ForwardFixture : public ::testing::TestWithParam<Fixture> {};

TEST_P(ForwardFixture, OutputParsesAndValidates) {
  const Fixture& fx = GetParam();
  auto in =
      ParseMsg(ReadAll(fx.path), fx.tcp ? sip::Transport::kStream : sip::Transport::kDatagram);
  ForwardOptions options;
  options.supported_extensions = {"timer", "100rel"};
  Forwarder f = TestForwarder(options);
  std::vector<Backend> backends = TestBackends();
  std::vector<char> out(65536);
  // The fixtures' senders are not the addresses in their Vias.
  Endpoint source = Ep("203.0.113.200", 5099, fx.tcp ? Transport::kTcp : Transport::kUdp);
  Result<Outcome> r = f.Handle(*in->msg, in->verdict, source, backends, out);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const Outcome& o = *r;

  if (o.action == sip::Action::kDrop) {
    if (fx.check == "valid" && in->msg->is_request()) {
      // Only refusals of the forwarding rules may drop a valid request.
      EXPECT_EQ(in->msg->method(), "ACK") << fx.path << ": " << Describe(o.reason).name;
    }
    if (in->verdict.action == sip::Action::kReply) {
      // The validator wanted a reply; we refuse only when the request holds
      // nothing valid to build it from.
      EXPECT_FALSE(o.detail.empty()) << fx.path;
    }
    return;
  }
  auto result = ParseMsg(std::string(o.bytes));  // datagram framing: Content-Length checked
  ASSERT_TRUE(result->verdict.ok())
      << fx.path << ": output rejected: " << sip::Describe(result->verdict.check).name << " "
      << result->verdict.detail << "\n"
      << o.bytes;
  const sip::Message& m = *result->msg;
  if (o.action == sip::Action::kReply) {
    EXPECT_FALSE(m.is_request()) << fx.path;
    EXPECT_EQ(m.status_code_text(), std::to_string(o.status)) << fx.path;
    if (in->verdict.action == sip::Action::kReply) {
      EXPECT_EQ(o.status, in->verdict.status);
    }
    return;
  }
  ASSERT_EQ(o.action, sip::Action::kForward);
  EXPECT_TRUE(in->verdict.ok()) << fx.path;
  if (!in->msg->is_request()) return;  // responses: our Via is not on them
  EXPECT_TRUE(m.is_request());
  EXPECT_EQ(ViaElements(m).size(), ViaElements(*in->msg).size() + 1) << fx.path;
  EXPECT_EQ(m.body(), in->msg->body()) << fx.path;
  EXPECT_EQ(m.start_line(), in->msg->start_line()) << fx.path;
}

std::string Name(const ::testing::TestParamInfo<Fixture>& info) {
  std::string name = info.param.check + "_" + info.param.path.stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ForwardFixture, ::testing::ValuesIn(Load()), Name);

// The property above must not hold vacuously: every valid request is
// forwarded, except the few the forwarding rules answer themselves.
TEST(ForwardFixtureSummary, ValidRequestsAreForwarded) {
  const std::vector<std::string> refused = {
      "max-forwards-one",  // would leave with Max-Forwards 0: 483
      "exactly-100-vias",  // no room for our Via: 483
  };
  Forwarder f = TestForwarder();
  std::vector<Backend> backends = TestBackends();
  std::vector<char> out(65536);
  int forwarded = 0;
  for (const Fixture& fx : Load()) {
    if (fx.check != "valid") continue;
    auto in =
        ParseMsg(ReadAll(fx.path), fx.tcp ? sip::Transport::kStream : sip::Transport::kDatagram);
    if (!in->msg->is_request()) continue;
    Result<Outcome> r = f.Request(*in->msg, Ep("203.0.113.200", 5099), backends, out);
    ASSERT_TRUE(r.ok());
    std::string stem = fx.path.stem().string();
    bool expect_refused = std::find(refused.begin(), refused.end(), stem) != refused.end();
    if (expect_refused) {
      EXPECT_EQ(r->reason, Reason::kTooManyHops) << stem;
    } else {
      EXPECT_EQ(r->action, sip::Action::kForward) << stem << ": " << Describe(r->reason).name;
      ++forwarded;
    }
  }
  EXPECT_GT(forwarded, 50);
}

}  // namespace
}  // namespace sipguard::forward
