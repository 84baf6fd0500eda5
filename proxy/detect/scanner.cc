#include "detect/scanner.h"

#include <array>
#include <cstddef>

#include "detect/scanner_tells.h"
#include "sip/name_addr.h"

namespace sipguard::detect {
namespace {

// What attackers actually send (Kamailio's default config, the kazoo and
// OpenSIPS scanner regexes, fail2ban reports), minus names of software that
// honest users run.
constexpr std::array<std::string_view, 11> kDefaults = {
    "friendly-scanner",  // sipvicious' hard-coded User-Agent (svmap, svwar, svcrack)
    "sipvicious",        // sipvicious and forks that keep the name
    "sipcli",            // sipcli: one-shot calls, used for toll-fraud test calls
    "pplsip",            // toll-fraud bot, in Kamailio's default scanner regex
    "sundayddr",         // sipvicious derivative
    "iwar",              // iWar war dialer
    "sip-scan",          // sip-scan
    "sivus",             // SiVuS VoIP vulnerability scanner
    "siparmyknife",      // SIP Army Knife fuzzer
    "vaxsipuseragent",   // VaxSIP SDK default, sent by REGISTER brute-force bots
    "nmap nse",          // nmap's SIP scripts
};

constexpr size_t kMinPattern = 3;
constexpr size_t kMaxPattern = 64;

std::string Lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::span<const std::string_view> DefaultScannerUserAgents() { return kDefaults; }

Result<ScannerDetector> ScannerDetector::Create(const ScannerConfig& config) {
  ScannerDetector d;
  d.check_tells_ = config.check_tells;
  if (config.use_default_user_agents) {
    for (std::string_view p : kDefaults) d.patterns_.emplace_back(p);
  }
  for (const std::string& p : config.user_agents) {
    if (p.size() < kMinPattern || p.size() > kMaxPattern) {
      return Error("scanner: User-Agent pattern must be 3..64 bytes: '" + p.substr(0, kMaxPattern) +
                   "'");
    }
    for (char c : p) {
      if (c < 0x20 || c > 0x7e) return Error("scanner: User-Agent pattern is not printable ASCII");
    }
    d.patterns_.push_back(Lowered(p));
  }
  return d;
}

bool ScannerDetector::MatchUserAgent(std::string_view user_agent, std::string_view* pattern) const {
  for (const std::string& p : patterns_) {
    if (ContainsNoCase(user_agent, p)) {
      *pattern = p;
      return true;
    }
  }
  return false;
}

ScannerVerdict ScannerDetector::Check(const sip::Message& msg) const {
  ScannerVerdict v;
  if (!msg.is_request()) return v;
  auto found = [&v](std::string_view reason, std::string_view pattern) {
    v.scanner = true;
    v.reason = reason;
    v.pattern = pattern;
    return v;
  };

  std::string_view pattern;
  if (msg.Count(sip::HeaderId::kUserAgent) == 1) {
    if (MatchUserAgent(msg.Find(sip::HeaderId::kUserAgent)->value, &pattern)) {
      return found(kReasonUserAgent, pattern);
    }
  } else if (msg.Count(sip::HeaderId::kUserAgent) > 1) {
    for (const sip::HeaderField& h : msg.headers()) {
      if (h.id == sip::HeaderId::kUserAgent && MatchUserAgent(h.value, &pattern)) {
        return found(kReasonUserAgent, pattern);
      }
    }
  }
  if (!check_tells_) return v;

  sip::NameAddr addr;
  sip::UriError uri_error = sip::UriError::kNone;
  if (const sip::HeaderField* from = msg.Find(sip::HeaderId::kFrom);
      from != nullptr && sip::ParseNameAddr(from->value, sip::AddressForm::kFromTo, &addr,
                                            &uri_error) == sip::NameAddrError::kNone) {
    if (!addr.display_name.empty() && MatchUserAgent(addr.display_name, &pattern)) {
      return found(kReasonFromName, pattern);
    }
    if (IsSipviciousTag(addr.tag)) return found(kReasonSipviciousTag, {});
    if (IsPlaceholderHost(addr.uri.host)) return found(kReasonPlaceholderHost, {});
  }
  addr = sip::NameAddr{};
  if (const sip::HeaderField* contact = msg.Find(sip::HeaderId::kContact);
      contact != nullptr &&
      sip::ParseNameAddr(contact->value, sip::AddressForm::kContact, &addr, &uri_error) ==
          sip::NameAddrError::kNone &&
      IsPlaceholderHost(addr.uri.host)) {
    return found(kReasonPlaceholderHost, {});
  }
  return v;
}

}  // namespace sipguard::detect
