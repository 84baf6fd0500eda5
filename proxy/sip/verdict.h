// Verdict: what a validating proxy does with a message, and why.
//
// A rejected message is a verdict, not an error. Every check the validator
// makes has a Check id with a stable name (used by fixtures, JSON output and
// events), the reply it calls for, the OpenSIPS sipmsg_validate() return code
// it corresponds to (so "retcode=" in log lines means what operators know),
// and a human reason.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sipguard::sip {

enum class Action : uint8_t {
  kForward,  // valid: pass on
  kReply,    // reject with Verdict::status
  kDrop,     // reject silently: no reply can or should be sent
};

enum class Check : uint8_t {
  kValid = 0,
  // Framing and lexical structure (the parser).
  kEmpty,
  kBadStartLine,
  kBadLineEnding,
  kControlCharacter,
  kBadHeaderLine,
  kTooManyHeaders,
  kUnterminatedHeaders,
  kBadContentLength,
  kConflictingContentLength,
  kTruncatedBody,
  kMissingContentLength,
  // Start line.
  kBadMethod,
  kBadVersion,
  kUnsupportedVersion,
  kBadRequestUri,
  kBadRequestUriUser,
  kBadRequestUriHost,
  kRequestUriHeaders,
  kUnsupportedUriScheme,
  kBadStatusCode,
  // Presence and multiplicity.
  kMissingVia,
  kMissingFrom,
  kMissingTo,
  kMissingCallId,
  kMissingCSeq,
  kDuplicateHeader,
  // Header values.
  kBadVia,
  kBadViaVersion,
  kBadBranch,
  kTooManyVias,
  kBroadcastVia,
  kBadFrom,
  kBadFromUser,
  kBadFromHost,
  kBadTo,
  kBadToUser,
  kBadToHost,
  kBadContact,
  kStarContact,
  kBadRoute,
  kBadCallId,
  kBadCSeq,
  kCSeqOutOfRange,
  kCSeqMethodMismatch,
  kUnknownMethodMismatch,
  kBadMaxForwards,
  kBadExpires,
  kBadContentType,
  kMissingContentType,
  kBadAuthorization,
  kBadOptionTags,
  // Policy.
  kBadExtension,
  kTooManyHops,
  kCount  // number of checks; not a check
};

struct CheckInfo {
  std::string_view name;    // stable id, e.g. "cseq-method-mismatch"
  uint16_t status;          // reply for a request when one can be sent; 0 = always drop
  int16_t retcode;          // OpenSIPS sipmsg_validate() code; -255 = none of its codes
  std::string_view reason;  // human text
};

const CheckInfo& Describe(Check check);
// Every check, in enum order (kValid first); for tests and documentation.
std::span<const CheckInfo> AllChecks();
// The Check with this stable name, or kCount when there is none.
Check CheckByName(std::string_view name);

struct Verdict {
  Action action = Action::kForward;
  Check check = Check::kValid;
  uint16_t status = 0;      // with kReply: 400, 416, 420, 483, 501, 505
  std::string_view header;  // offending header's name as written, if any
  std::string_view detail;  // static refinement, e.g. "bad URI host"; may be empty

  bool ok() const { return action == Action::kForward; }
  int retcode() const { return Describe(check).retcode; }
};

}  // namespace sipguard::sip
