#include "sip/verdict.h"

#include <array>

namespace sipguard::sip {
namespace {

// Indexed by Check; the static_assert keeps it in step with the enum.
constexpr std::array<CheckInfo, static_cast<size_t>(Check::kCount)> kChecks = {{
    {"valid", 0, 1, "valid"},
    {"empty", 0, -1, "empty message"},
    {"bad-start-line", 0, -1, "unparsable start line"},
    {"bad-line-ending", 0, -2, "bare CR or LF in the header section"},
    {"control-character", 0, -2, "control character in the header section"},
    {"bad-header-line", 0, -2, "unparsable header line"},
    {"too-many-headers", 400, -255, "too many header fields"},
    {"unterminated-headers", 400, -255, "header section not terminated by an empty line"},
    {"bad-content-length", 400, -5, "invalid Content-Length"},
    {"conflicting-content-length", 400, -5, "more than one Content-Length"},
    {"truncated-body", 400, -5, "body shorter than Content-Length"},
    {"missing-content-length", 400, -4, "no Content-Length on a stream transport"},
    {"bad-method", 400, -255, "method is not a token"},
    {"bad-version", 400, -255, "malformed SIP-Version"},
    {"unsupported-version", 505, -255, "SIP version not supported"},
    {"bad-request-uri", 400, -11, "malformed Request-URI"},
    {"bad-request-uri-user", 400, -27, "malformed user in Request-URI"},
    {"bad-request-uri-host", 400, -12, "malformed host in Request-URI"},
    {"request-uri-headers", 400, -11, "Request-URI carries headers"},
    {"unsupported-uri-scheme", 416, -255, "unsupported Request-URI scheme"},
    {"bad-status-code", 0, -255, "malformed status code"},
    {"missing-via", 0, -10, "no Via header"},
    {"missing-from", 400, -8, "no From header"},
    {"missing-to", 400, -9, "no To header"},
    {"missing-call-id", 400, -3, "no Call-ID header"},
    {"missing-cseq", 400, -7, "no CSeq header"},
    {"duplicate-header", 400, -255, "single-valued header appears more than once"},
    {"bad-via", 400, -255, "malformed Via"},
    {"bad-via-version", 400, -255, "Via is not SIP/2.0"},
    {"bad-branch", 400, -255, "Via branch is only the magic cookie"},
    {"too-many-vias", 400, -255, "too many Via values"},
    {"broadcast-via", 0, -255, "Via names a broadcast or unspecified address"},
    {"bad-from", 400, -24, "malformed From"},
    {"bad-from-user", 400, -28, "malformed user in From URI"},
    {"bad-from-host", 400, -25, "malformed host in From URI"},
    {"bad-to", 400, -22, "malformed To"},
    {"bad-to-user", 400, -29, "malformed user in To URI"},
    {"bad-to-host", 400, -23, "malformed host in To URI"},
    {"bad-contact", 400, -26, "malformed Contact"},
    {"star-contact", 400, -30, "Contact '*' misused"},
    {"bad-route", 400, -255, "malformed Route or Record-Route"},
    {"bad-call-id", 400, -255, "malformed Call-ID"},
    {"bad-cseq", 400, -255, "malformed CSeq"},
    {"cseq-out-of-range", 400, -255, "CSeq number above 2^32-1"},
    {"cseq-method-mismatch", 400, -255, "CSeq method differs from the request method"},
    {"unknown-method-mismatch", 501, -255, "unknown method whose CSeq names another method"},
    {"bad-max-forwards", 400, -255, "Max-Forwards is not a number from 0 to 255"},
    {"bad-expires", 400, -255, "Expires is not a number from 0 to 2^32-1"},
    {"bad-content-type", 400, -255, "malformed Content-Type"},
    {"missing-content-type", 400, -21, "body without Content-Type"},
    {"bad-authorization", 400, -255, "malformed Authorization credentials"},
    {"bad-option-tags", 400, -255, "malformed option-tag list"},
    {"bad-extension", 420, -255, "Proxy-Require names an unsupported extension"},
    {"too-many-hops", 483, -255, "Max-Forwards exhausted"},
}};
static_assert(kChecks.back().name == "too-many-hops", "kChecks out of step with Check");

}  // namespace

const CheckInfo& Describe(Check check) {
  size_t i = static_cast<size_t>(check);
  return i < kChecks.size() ? kChecks[i] : kChecks[0];
}

std::span<const CheckInfo> AllChecks() { return kChecks; }

Check CheckByName(std::string_view name) {
  for (size_t i = 0; i < kChecks.size(); ++i) {
    if (kChecks[i].name == name) return static_cast<Check>(i);
  }
  return Check::kCount;
}

}  // namespace sipguard::sip
