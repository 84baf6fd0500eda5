// ScannerDetector: is this request from a known SIP scanning tool?
//
// Per request, before forwarding. Three kinds of evidence, cheapest first:
//   1. User-Agent: a case-insensitive SUBSTRING match against a list of
//      scanner names (every User-Agent line is looked at). The defaults
//      (DefaultScannerUserAgents()) are names that real scanners and
//      toll-fraud bots send and that no phone, PBX or proxy sends; operators
//      add their own. `sipsak` is deliberately not a default: admins use it
//      for monitoring. Neither are SDKs that bots abuse but products ship
//      (PortSIP, Ozeki): add them if your users have none of those.
//   2. The From header (with check_tells): a scanner name from the same list
//      as its display name ("sipvicious", "sipcli", ...), sipvicious' hex From
//      tag, or sipvicious' placeholder host 1.1.1.1 (see scanner_tells.h).
//      These catch sipvicious with a changed User-Agent (its -u option).
//   3. The Contact header (with check_tells): the placeholder host 1.1.1.1.
// Responses are never judged (Check() says not-a-scanner).
//
// The verdict names WHY, never WHO: the source address of the event is the
// socket's, which the caller has. Nothing in a header is trusted to name an
// address.
//
// Thread-safety: immutable after Create(); Check() may be called from any
// number of threads at once. Cost: no allocation; each header scanned once
// per pattern (O(length x patterns), patterns are short). Failure: Create()
// rejects unusable patterns with an Error naming them; Check() cannot fail.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sip/message.h"

namespace sipguard::detect {

// Built-in scanner names (lower case), with why each is there in scanner.cc.
std::span<const std::string_view> DefaultScannerUserAgents();

struct ScannerConfig {
  bool use_default_user_agents = true;
  // Operator additions: 3..64 printable ASCII bytes each, matched as
  // case-insensitive substrings.
  std::vector<std::string> user_agents;
  // Look at From and Contact too (see above).
  bool check_tells = true;
};

// Reasons (static text, stable: tests and logs may compare them).
inline constexpr std::string_view kReasonUserAgent = "scanner User-Agent";
inline constexpr std::string_view kReasonFromName = "scanner name in From";
inline constexpr std::string_view kReasonSipviciousTag = "sipvicious From tag";
inline constexpr std::string_view kReasonPlaceholderHost = "sipvicious placeholder host";

struct ScannerVerdict {
  bool scanner = false;
  std::string_view reason;   // one of kReason*, empty when !scanner
  std::string_view pattern;  // the name matched (User-Agent, From name), else empty;
                             // points into the detector, valid while it lives
  explicit operator bool() const { return scanner; }
};

class ScannerDetector {
 public:
  static Result<ScannerDetector> Create(const ScannerConfig& config);

  // Judges one parsed request (as Parse() left it; validation not required).
  ScannerVerdict Check(const sip::Message& msg) const;

  // True if `user_agent` contains one of the patterns; *pattern gets it.
  bool MatchUserAgent(std::string_view user_agent, std::string_view* pattern) const;

  // Lower-cased patterns in match order: defaults first, then additions.
  const std::vector<std::string>& patterns() const { return patterns_; }

 private:
  ScannerDetector() = default;

  std::vector<std::string> patterns_;
  bool check_tells_ = true;
};

}  // namespace sipguard::detect
