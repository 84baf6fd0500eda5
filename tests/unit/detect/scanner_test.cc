// ScannerDetector over real requests: the fixture corpus (data-driven: every
// file is a case) and tables of User-Agents and tags.
#include "detect/scanner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "detect/scanner_tells.h"
#include "sip/message.h"

namespace sipguard::detect {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> SipFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& f : fs::directory_iterator(dir)) {
    if (f.path().extension() == ".sip") out.push_back(f.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

ScannerDetector MakeDetector(std::vector<std::string> extra = {"PortSIP"}) {
  ScannerConfig config;
  config.user_agents = std::move(extra);
  auto d = ScannerDetector::Create(config);
  EXPECT_TRUE(d.ok());
  return std::move(d).value();
}

// Parses `path` with the framing its name says and checks it.
ScannerVerdict CheckFile(const ScannerDetector& d, const fs::path& path, std::string* bytes) {
  *bytes = ReadAll(path);
  const auto transport = path.stem().string().find(".tcp") != std::string::npos
                             ? sip::Transport::kStream
                             : sip::Transport::kDatagram;
  sip::Message msg;
  const sip::ParseError e = sip::Parse(*bytes, transport, &msg);
  EXPECT_TRUE(e == sip::ParseError::kNone) << path;
  return d.Check(msg);
}

TEST(ScannerFixtures, DetectorFixturesHaveTheirExpectation) {
  const ScannerDetector d = MakeDetector();
  size_t scanners = 0, others = 0;
  for (const auto& dir : {"scanner", "not-scanner"}) {
    const bool expect = std::string(dir) == "scanner";
    for (const fs::path& p : SipFiles(fs::path(SIPGUARD_DETECT_FIXTURE_DIR) / dir)) {
      std::string bytes;
      const ScannerVerdict v = CheckFile(d, p, &bytes);
      EXPECT_EQ(v.scanner, expect) << p << " reason=" << v.reason;
      EXPECT_EQ(v.reason.empty(), !expect) << p;
      (expect ? scanners : others)++;
    }
  }
  EXPECT_GE(scanners, 10u);
  EXPECT_GE(others, 10u);
}

TEST(ScannerFixtures, SipviciousAndScannerSamplesInValidCorpusAreDetected) {
  const ScannerDetector d = MakeDetector({});
  size_t n = 0;
  for (const fs::path& p : SipFiles(fs::path(SIPGUARD_SIP_FIXTURE_DIR) / "valid")) {
    const std::string name = p.filename().string();
    if (name.rfind("sipvicious-", 0) != 0 && name.rfind("scanner-", 0) != 0) continue;
    std::string bytes;
    EXPECT_TRUE(CheckFile(d, p, &bytes).scanner) << p;
    ++n;
  }
  EXPECT_GE(n, 7u);
}

TEST(ScannerFixtures, OtherValidRequestsAreNotScanners) {
  // Valid-corpus files that ARE scanner probes under another name: the
  // User-Agent was replaced by an XSS payload, the From tag is sipvicious'.
  const std::set<std::string> probes = {"xss-in-free-text-user-agent.sip"};
  const ScannerDetector d = MakeDetector({});
  for (const fs::path& p : SipFiles(fs::path(SIPGUARD_SIP_FIXTURE_DIR) / "valid")) {
    const std::string name = p.filename().string();
    if (name.rfind("sipvicious-", 0) == 0 || name.rfind("scanner-", 0) == 0) continue;
    std::string bytes;
    const ScannerVerdict v = CheckFile(d, p, &bytes);
    EXPECT_EQ(v.scanner, probes.count(name) == 1) << p << " reason=" << v.reason;
  }
}

TEST(ScannerFixtures, OperatorAdditionIsNeededForPortsip) {
  const ScannerDetector defaults = MakeDetector({});
  std::string bytes;
  const fs::path p =
      fs::path(SIPGUARD_DETECT_FIXTURE_DIR) / "scanner" / "operator-added-portsip.sip";
  EXPECT_FALSE(CheckFile(defaults, p, &bytes).scanner);
  const ScannerDetector with_portsip = MakeDetector();  // v.pattern points into it
  const ScannerVerdict v = CheckFile(with_portsip, p, &bytes);
  EXPECT_TRUE(v.scanner);
  EXPECT_EQ(v.reason, kReasonUserAgent);
  EXPECT_EQ(v.pattern, "portsip");
}

TEST(ScannerUserAgents, LegitimateUserAgentsDoNotMatch) {
  const ScannerDetector d = MakeDetector({});
  for (std::string_view ua : {
           "Asterisk PBX 20.5.0",
           "FPBX-16.0.40(18.20.0)",
           "FreeSWITCH-mod_sofia/1.10.11-release~64bit",
           "Linphone/5.2.0 (belle-sip/5.2.0)",
           "LinphoneAndroid/5.1.2 (Pixel 7) LinphoneSDK/5.3.0",
           "Z 5.6.1 v2.10.19.9",
           "Zoiper rv2.10.20.3",
           "Yealink SIP-T46U 108.86.0.45",
           "PolycomVVX-VVX_450-UA/6.4.3.5018",
           "Cisco-CP8841/14.2.1",
           "Cisco-SIPGateway/IOS-15.x",
           "Grandstream GXP2170 1.0.11.79",
           "Grandstream HT801 1.0.43.11",
           "kamailio (5.7.4 (x86_64/linux))",
           "OpenSIPS (3.4.3 (x86_64/linux))",
           "sipsak 0.9.8.1",
           "SIPp/Linux",
           "MicroSIP/3.21.3",
           "snomD785/10.1.141.13",
           "Bria 6 release 6.5.4 stamp 116045",
           "Jitsi2.10.5550Linux",
           "Fanvil X4U 2.12.6",
           "Avaya one-X Deskphone",
           "AVM FRITZ!Box 7590 154.07.57 (Jan 30 2024)",
           "Telephone 1.6",
           "UCCAPI/16.0.4266.1001 OC/16.0.4266.1001 (Skype for Business)",
           "3CXPhone 6.0.26523.0",
           "Ooma/1.0",
           "eyeBeam release 1011d stamp 40820",
           "X-Lite release 5.8.3 stamp 102651",
           "baresip v3.9.0 (x86_64/linux)",
           "Obihai/OBi200-3.2.2",
       }) {
    std::string_view pattern;
    EXPECT_FALSE(d.MatchUserAgent(ua, &pattern)) << ua << " matched " << pattern;
  }
}

TEST(ScannerUserAgents, ScannerUserAgentsMatchInAnyCase) {
  const ScannerDetector d = MakeDetector({});
  struct Case {
    std::string_view ua, pattern;
  };
  for (const Case& c : {
           Case{"friendly-scanner", "friendly-scanner"},
           Case{"FRIENDLY-SCANNER", "friendly-scanner"},
           Case{"sipvicious 0.3.4", "sipvicious"},
           Case{"SIPVicious PRO", "sipvicious"},
           Case{"sipcli/v1.8", "sipcli"},
           Case{"pplsip", "pplsip"},
           Case{"sundayddr", "sundayddr"},
           Case{"iWar", "iwar"},
           Case{"sip-scan", "sip-scan"},
           Case{"SIVuS", "sivus"},
           Case{"VaxSIPUserAgent/3.1", "vaxsipuseragent"},
           Case{"Nmap NSE", "nmap nse"},
           Case{"x/1.0 friendly-scanner", "friendly-scanner"},
       }) {
    std::string_view pattern;
    EXPECT_TRUE(d.MatchUserAgent(c.ua, &pattern)) << c.ua;
    EXPECT_EQ(pattern, c.pattern) << c.ua;
  }
}

TEST(ScannerConfig, RejectsUnusablePatterns) {
  for (const std::string& bad : {std::string("ab"), std::string(65, 'x'), std::string("ok\tno"),
                                 std::string("caf\xc3\xa9")}) {
    ScannerConfig c;
    c.user_agents = {bad};
    EXPECT_FALSE(ScannerDetector::Create(c).ok()) << bad;
  }
}

TEST(ScannerConfig, DefaultsCanBeTurnedOff) {
  ScannerConfig c;
  c.use_default_user_agents = false;
  c.user_agents = {"EvilBot"};
  auto d = ScannerDetector::Create(c);
  ASSERT_TRUE(d.ok());
  std::string_view pattern;
  EXPECT_FALSE(d->MatchUserAgent("friendly-scanner", &pattern));
  EXPECT_TRUE(d->MatchUserAgent("my-evilbot/2", &pattern));
  EXPECT_EQ(pattern, "evilbot");
  EXPECT_EQ(d->patterns().size(), 1u);
}

TEST(ScannerConfig, TellsCanBeTurnedOff) {
  ScannerConfig c;
  c.check_tells = false;
  auto d = ScannerDetector::Create(c);
  ASSERT_TRUE(d.ok());
  std::string bytes;
  const fs::path p = fs::path(SIPGUARD_DETECT_FIXTURE_DIR) / "scanner" /
                     "sipvicious-changed-user-agent-hex-tag.sip";
  EXPECT_FALSE(CheckFile(*d, p, &bytes).scanner);
  EXPECT_TRUE(CheckFile(MakeDetector(), p, &bytes).scanner);
}

TEST(ScannerCheck, ResponsesAreNeverJudged) {
  const std::string bytes =
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
      "From: <sip:a@192.0.2.1>;tag=3130303101333631333335363033\r\nTo: <sip:a@192.0.2.1>\r\n"
      "Call-ID: 1\r\nCSeq: 1 OPTIONS\r\nServer: friendly-scanner\r\n"
      "User-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n";
  sip::Message msg;
  ASSERT_EQ(sip::Parse(bytes, sip::Transport::kDatagram, &msg), sip::ParseError::kNone);
  EXPECT_FALSE(MakeDetector().Check(msg).scanner);
}

TEST(ScannerCheck, ReasonsNameTheTell) {
  struct Case {
    const char* file;
    std::string_view reason;
  };
  const ScannerDetector d = MakeDetector();
  for (const Case& c : {
           Case{"sipvicious-changed-user-agent-hex-tag.sip", kReasonSipviciousTag},
           Case{"sipvicious-contact-placeholder-host.sip", kReasonPlaceholderHost},
           Case{"svmap-from-placeholder-host.sip", kReasonPlaceholderHost},
           Case{"sipcli-display-name-no-user-agent.sip", kReasonFromName},
           Case{"second-user-agent-line.sip", kReasonUserAgent},
       }) {
    std::string bytes;
    const ScannerVerdict v =
        CheckFile(d, fs::path(SIPGUARD_DETECT_FIXTURE_DIR) / "scanner" / c.file, &bytes);
    EXPECT_EQ(v.reason, c.reason) << c.file;
  }
}

TEST(SipviciousTag, Shapes) {
  struct Case {
    std::string_view tag;
    bool expect;
  };
  for (const Case& c : {
           Case{"3130303101333631333335363033", true},  // "1001\x01" "3613335603"
           Case{"3835663164393661313363340131363136303235323638", true},
           Case{"3130303101333631333335363033", true},
           Case{"31303031013336313333353630", true},         // 8 digits
           Case{"3130303101343239343936373239", true},       // 9 digits
           Case{"313030310134323934393637323936", false},    // 4294967296 > 2^32 - 1
           Case{"31303031013132333435", false},              // 5 digits: too few
           Case{"6164:6d696e", false},                       // not hex
           Case{"3130303101", false},                        // no digits after 0x01
           Case{"013336313333353630", false},                // no data before 0x01
           Case{"313030310133363133333536303", false},       // odd length
           Case{"3130303102333631333335363033", false},      // 0x02, not 0x01
           Case{"31303031013336313333353630333435", false},  // 12 digits: not a 32-bit number
           Case{"313030310133363133013335363033", false},    // second separator
           Case{"0a303031013336313333353630", false},        // control byte in the data
           Case{"1928301774", false},                        // decimal tag
           Case{"4e6b9a11", false},                          // random hex
           Case{"as6f1c2b3a", false},
           Case{"", false},
       }) {
    EXPECT_EQ(IsSipviciousTag(c.tag), c.expect) << c.tag;
  }
}

TEST(SipviciousTag, RandomHexTagsAlmostNeverMatch) {
  // 100k pseudo-random 8..32 hex-digit tags (what phones send): none match.
  uint64_t x = 0x2545F4914F6CDD1DULL;
  size_t hits = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string tag;
    const size_t len = 8 + 2 * static_cast<size_t>(i % 13);
    while (tag.size() < len) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      tag.push_back("0123456789abcdef"[x & 15]);
    }
    if (IsSipviciousTag(tag)) ++hits;
  }
  EXPECT_EQ(hits, 0u);
}

TEST(ContainsNoCase, Basics) {
  EXPECT_TRUE(ContainsNoCase("abcFRIENDLY-scannerX", "friendly-scanner"));
  EXPECT_FALSE(ContainsNoCase("friendly-scanne", "friendly-scanner"));
  EXPECT_FALSE(ContainsNoCase("", "abc"));
  EXPECT_TRUE(ContainsNoCase("xxABC", "abc"));
  EXPECT_FALSE(ContainsNoCase("ab\xc3\x81", "abc"));
}

}  // namespace
}  // namespace sipguard::detect
