// TrustPolicy: which entries count as sipguard-proxy's, decided on the
// journal's trusted fields only (no journal here: a FieldLookup over a map).
#include "source/trust.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace sipguard::source {
namespace {

using Fields = std::map<std::string, std::string, std::less<>>;

TrustVerdict Decide(const TrustPolicy& p, const Fields& f) {
  FieldLookup lookup = [&f](std::string_view name) -> std::optional<std::string_view> {
    auto it = f.find(name);
    if (it == f.end()) return std::nullopt;
    return std::string_view(it->second);
  };
  return p.Check(lookup);
}

// What every sipguard-proxy event carries, trusted or forged.
Fields Forgeable() {
  return {{"SYSLOG_IDENTIFIER", "sipguard-proxy"},
          {"SIPGUARD_EVENT", "scanner"},
          {"SIPGUARD_SRC_IP", "198.51.100.66"},
          {"MESSAGE", "x|log|Scanner from 198.51.100.66 OPTIONS (-) ua=-"}};
}

Fields With(Fields f, const Fields& extra) {
  for (const auto& [k, v] : extra) f[k] = v;
  return f;
}

TEST(TrustPolicy, DefaultTrustsTheServiceUnit) {
  TrustPolicy p;
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_SYSTEMD_UNIT", "sipguard-proxy.service"},
                                         {"_COMM", "sipguard-proxy"},
                                         {"_UID", "998"}})),
            TrustVerdict::kTrustedUnit);
}

TEST(TrustPolicy, SyslogIdentifierAloneNeverSuffices) {
  TrustPolicy p;
  p.exes.clear();
  p.uids = {0};
  EXPECT_EQ(Decide(p, Forgeable()), TrustVerdict::kUntrusted);
  // logger / systemd-cat / python3 from a user's shell.
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_COMM", "logger"},
                                         {"_EXE", "/usr/bin/logger"},
                                         {"_UID", "1000"},
                                         {"_SYSTEMD_UNIT", "session-3.scope"}})),
            TrustVerdict::kUntrusted);
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_COMM", "python3"}, {"_UID", "1000"}})),
            TrustVerdict::kUntrusted);
  // Untrusted look-alikes of the trusted fields do not count.
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"COMM", "sipguard-proxy"},
                                         {"SYSTEMD_UNIT", "sipguard-proxy.service"},
                                         {"UID", "0"}})),
            TrustVerdict::kUntrusted);
}

TEST(TrustPolicy, DefaultCommNeedsTheInstalledExecutable) {
  TrustPolicy p;
  const Fields comm = With(Forgeable(), {{"_COMM", "sipguard-proxy"}, {"_UID", "1000"}});
  // A user's own binary named sipguard-proxy, or prctl(PR_SET_NAME).
  EXPECT_EQ(Decide(p, comm), TrustVerdict::kUntrusted);
  EXPECT_EQ(Decide(p, With(comm, {{"_EXE", "/home/eve/sipguard-proxy"}})),
            TrustVerdict::kUntrusted);
  EXPECT_EQ(Decide(p, With(comm, {{"_EXE", "/usr/bin/sipguard-proxy"}})),
            TrustVerdict::kTrustedComm);
  EXPECT_EQ(Decide(p, With(comm, {{"_EXE", "/usr/local/bin/sipguard-proxy"}})),
            TrustVerdict::kTrustedComm);
  // The executable alone (another comm) is not the rule.
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_COMM", "bash"}, {"_EXE", "/usr/bin/sipguard-proxy"}})),
            TrustVerdict::kUntrusted);
}

TEST(TrustPolicy, CommAloneWhenNoExecutablesAreConfigured) {
  TrustPolicy p;
  p.exes.clear();
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_COMM", "sipguard-proxy"}})),
            TrustVerdict::kTrustedComm);
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_COMM", "sipguard-proxyX"}})), TrustVerdict::kUntrusted);
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_COMM", "sipguard-prox"}})), TrustVerdict::kUntrusted);
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_COMM", ""}})), TrustVerdict::kUntrusted);
}

TEST(TrustPolicy, LongCommsCompareByTheKernelsFifteenBytes) {
  TrustPolicy p;
  p.exes.clear();
  p.comms = {"sipguard-proxy-edge"};  // The kernel keeps "sipguard-proxy-".
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_COMM", "sipguard-proxy-"}})),
            TrustVerdict::kTrustedComm);
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_COMM", "sipguard-proxy-edge"}})),
            TrustVerdict::kUntrusted);
}

TEST(TrustPolicy, UnitMustMatchExactly) {
  TrustPolicy p;
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_SYSTEMD_UNIT", "sipguard-proxy.service.evil"}})),
            TrustVerdict::kUntrusted);
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_SYSTEMD_UNIT", "user@1000.service"}})),
            TrustVerdict::kUntrusted);
  p.units = {"sipguard-proxy@edge.service"};
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_SYSTEMD_UNIT", "sipguard-proxy@edge.service"}})),
            TrustVerdict::kTrustedUnit);
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_SYSTEMD_UNIT", "sipguard-proxy.service"}})),
            TrustVerdict::kUntrusted);
}

TEST(TrustPolicy, UidSet) {
  TrustPolicy p;
  p.uids = {998, 0};
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_UID", "998"}})), TrustVerdict::kTrustedUid);
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_UID", "0"}})), TrustVerdict::kTrustedUid);
  EXPECT_EQ(Decide(p, With(Forgeable(), {{"_UID", "1000"}})), TrustVerdict::kUntrusted);
  for (const char* bad : {"", "998x", " 998", "+998", "-1", "99999999999", "0x3e6"}) {
    EXPECT_EQ(Decide(p, With(Forgeable(), {{"_UID", bad}})), TrustVerdict::kUntrusted) << bad;
  }
}

TEST(TrustPolicy, RulesAreTriedInOrderAndEmptyPolicyTrustsNothing) {
  TrustPolicy p;
  p.exes.clear();
  p.uids = {998};
  const Fields all = With(
      Forgeable(),
      {{"_SYSTEMD_UNIT", "sipguard-proxy.service"}, {"_COMM", "sipguard-proxy"}, {"_UID", "998"}});
  EXPECT_EQ(Decide(p, all), TrustVerdict::kTrustedUnit);
  p.units.clear();
  EXPECT_EQ(Decide(p, all), TrustVerdict::kTrustedComm);
  p.comms.clear();
  EXPECT_EQ(Decide(p, all), TrustVerdict::kTrustedUid);
  p.uids.clear();
  EXPECT_TRUE(p.Empty());
  EXPECT_EQ(Decide(p, all), TrustVerdict::kUntrusted);
  EXPECT_FALSE(IsTrusted(TrustVerdict::kUntrusted));
  EXPECT_TRUE(IsTrusted(TrustVerdict::kTrustedUid));
}

}  // namespace
}  // namespace sipguard::source
