#include "sip/validator.h"

#include <array>
#include <cstdint>

#include "sip/chars.h"
#include "sip/header_checks.h"
#include "sip/name_addr.h"
#include "sip/numbers.h"
#include "sip/values.h"
#include "sip/via.h"

namespace sipguard::sip {
namespace {

constexpr std::array<std::string_view, 14> kKnownMethods = {
    "INVITE", "ACK",       "BYE",    "CANCEL",  "REGISTER", "OPTIONS", "PRACK",
    "UPDATE", "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO",     "REFER",   "MESSAGE"};

}  // namespace

bool IsKnownSipMethod(std::string_view m) {
  for (std::string_view k : kKnownMethods) {
    if (k == m) return true;
  }
  return false;
}

namespace {

// Headers RFC 3261 allows once per message (Content-Length is the parser's).
constexpr std::array<HeaderId, 8> kSingleValued = {
    HeaderId::kFrom,        HeaderId::kTo,      HeaderId::kCallId,     HeaderId::kCSeq,
    HeaderId::kMaxForwards, HeaderId::kExpires, HeaderId::kMinExpires, HeaderId::kContentType};

Check CheckForParseError(ParseError e) {
  switch (e) {
    case ParseError::kNone: return Check::kValid;
    case ParseError::kEmpty: return Check::kEmpty;
    case ParseError::kBadStartLine: return Check::kBadStartLine;
    case ParseError::kBadLineEnding: return Check::kBadLineEnding;
    case ParseError::kControlCharacter: return Check::kControlCharacter;
    case ParseError::kBadHeaderLine: return Check::kBadHeaderLine;
    case ParseError::kTooManyHeaders: return Check::kTooManyHeaders;
    case ParseError::kUnterminatedHeaders: return Check::kUnterminatedHeaders;
    case ParseError::kBadContentLength: return Check::kBadContentLength;
    case ParseError::kConflictingContentLength: return Check::kConflictingContentLength;
    case ParseError::kTruncatedBody: return Check::kTruncatedBody;
    case ParseError::kMissingContentLength: return Check::kMissingContentLength;
    case ParseError::kIncomplete: return Check::kTruncatedBody;
  }
  return Check::kBadStartLine;
}

// "SIP/" 1*DIGIT "." 1*DIGIT; *is_2_0 tells whether it is the one we speak.
bool ParseSipVersion(std::string_view v, bool* is_2_0) {
  if (v.size() < 7 || !EqualsIgnoreCase(v.substr(0, 4), "SIP/")) return false;
  v.remove_prefix(4);
  size_t dot = v.find('.');
  uint64_t major = 0, minor = 0;
  if (dot == std::string_view::npos || !ParseDecimal(v.substr(0, dot), 999, &major) ||
      !ParseDecimal(v.substr(dot + 1), 999, &minor)) {
    return false;
  }
  *is_2_0 = major == 2 && minor == 0;
  return true;
}

// The top Via decides whether a reply can be routed at all.
bool TopViaRoutable(const Message& msg) {
  const HeaderField* h = msg.Find(HeaderId::kVia);
  if (h == nullptr) return false;
  ListSplitter list(h->value);
  std::string_view first;
  if (!list.Next(&first)) return false;
  Via via;
  ParseVia(first, &via);  // a bad parameter still leaves sent-by usable
  return via.host_kind != HostKind::kNone && !IsBroadcastHost(via.host);
}

class Validator {
 public:
  Validator(const Message& msg, const ValidatorOptions& options) : msg_(msg), options_(options) {}

  Verdict Run(ParseError parse_error) {
    request_ = msg_.is_request();
    if (parse_error == ParseError::kEmpty || parse_error == ParseError::kBadStartLine) {
      return Reject(CheckForParseError(parse_error));
    }
    if (parse_error == ParseError::kIncomplete) {
      // Offline or at end of stream: no more bytes will come.
      return Reject(msg_.headers_complete() ? Check::kTruncatedBody : Check::kUnterminatedHeaders);
    }
    if (parse_error != ParseError::kNone) return Reject(CheckForParseError(parse_error));
    Verdict v = request_ ? StartLineOfRequest() : StartLineOfResponse();
    if (!v.ok()) return v;
    if (v = Presence(); !v.ok()) return v;
    if (v = Values(); !v.ok()) return v;
    if (request_) return Policy();
    return v;
  }

 private:
  Verdict Reject(Check check, const HeaderField* h = nullptr, std::string_view detail = {}) {
    Verdict v;
    v.check = check;
    v.header = h != nullptr ? h->name : std::string_view();
    v.detail = detail;
    const CheckInfo& info = Describe(check);
    // Never answer a response or an ACK (RFC 3261 §17.1.1.3, §16.7); a header
    // section we could not split gives nothing trustworthy to build a reply
    // from (OpenSIPS retcode -2: drop); and a reply needs a routable top Via.
    // Decided here, on the reject path only, so valid traffic never pays.
    bool can_reply = info.status != 0 && request_ && info.retcode != -2 && msg_.method() != "ACK" &&
                     TopViaRoutable(msg_);
    uint16_t status = info.status;
    v.action = can_reply ? Action::kReply : Action::kDrop;
    v.status = v.action == Action::kReply ? status : 0;
    return v;
  }

  Verdict StartLineOfRequest() {
    if (!IsToken(msg_.method())) return Reject(Check::kBadMethod);
    // The line was split at its first two spaces; more spaces mean white
    // space around or inside the Request-URI (RFC 4475 lwsstart, lwsruri).
    // A lone trailing space stays a SIP-Version problem (RFC 4475 trws).
    std::string_view version = msg_.version();
    size_t last_space = version.rfind(' ');
    bool tail_is_version = false;
    if (msg_.request_uri().empty() ||
        (last_space != std::string_view::npos &&
         ParseSipVersion(version.substr(last_space + 1), &tail_is_version))) {
      return Reject(Check::kBadRequestUri, nullptr, "white space in the Request-URI");
    }
    bool is_2_0 = false;
    if (!ParseSipVersion(msg_.version(), &is_2_0)) return Reject(Check::kBadVersion);
    if (!is_2_0) return Reject(Check::kUnsupportedVersion);
    Uri uri;
    UriError e = ParseUri(msg_.request_uri(), &uri);
    if (e == UriError::kNone && (uri.scheme == UriScheme::kOther)) {
      return Reject(Check::kUnsupportedUriScheme, nullptr, uri.scheme_text);
    }
    switch (e) {
      case UriError::kNone: break;
      case UriError::kBadUser: return Reject(Check::kBadRequestUriUser);
      case UriError::kBadHost: return Reject(Check::kBadRequestUriHost);
      default: return Reject(Check::kBadRequestUri, nullptr, UriErrorText(e));
    }
    if (!uri.headers.empty()) return Reject(Check::kRequestUriHeaders);
    return {};
  }

  Verdict StartLineOfResponse() {
    bool is_2_0 = false;
    if (!ParseSipVersion(msg_.version(), &is_2_0)) return Reject(Check::kBadVersion);
    if (!is_2_0) return Reject(Check::kUnsupportedVersion);
    uint64_t code = 0;
    std::string_view text = msg_.status_code_text();
    if (text.size() != 3 || !ParseDecimal(text, 699, &code) || code < 100) {
      return Reject(Check::kBadStatusCode);
    }
    return {};
  }

  Verdict Presence() {
    if (msg_.Find(HeaderId::kVia) == nullptr) return Reject(Check::kMissingVia);
    if (msg_.Find(HeaderId::kFrom) == nullptr) return Reject(Check::kMissingFrom);
    if (msg_.Find(HeaderId::kTo) == nullptr) return Reject(Check::kMissingTo);
    if (msg_.Find(HeaderId::kCallId) == nullptr) return Reject(Check::kMissingCallId);
    if (msg_.Find(HeaderId::kCSeq) == nullptr) return Reject(Check::kMissingCSeq);
    for (HeaderId id : kSingleValued) {
      if (msg_.Count(id) > 1) return Reject(Check::kDuplicateHeader, msg_.Find(id));
    }
    return {};
  }

  Verdict Values() {
    size_t vias = 0;
    for (const HeaderField& h : msg_.headers()) {
      HeaderCheck r;
      switch (h.id) {
        case HeaderId::kVia: r = CheckVia(h.value, &vias); break;
        case HeaderId::kFrom:
          r = CheckAddressList(h.value, AddressForm::kFromTo, /*single=*/true, Check::kBadFrom,
                               Check::kBadFromUser, Check::kBadFromHost);
          break;
        case HeaderId::kTo:
          r = CheckAddressList(h.value, AddressForm::kFromTo, true, Check::kBadTo,
                               Check::kBadToUser, Check::kBadToHost);
          break;
        case HeaderId::kContact:
          r = CheckContact(h.value, request_ ? msg_.method() : std::string_view(),
                           msg_.Find(HeaderId::kExpires), msg_.Count(HeaderId::kContact));
          break;
        case HeaderId::kRoute:
        case HeaderId::kRecordRoute:
          r = CheckAddressList(h.value, AddressForm::kRoute, false, Check::kBadRoute,
                               Check::kBadRoute, Check::kBadRoute);
          break;
        case HeaderId::kCallId: r = CheckCallId(h.value); break;
        case HeaderId::kCSeq: r = CheckCSeq(h.value, request_ ? msg_.method() : "", &cseq_); break;
        case HeaderId::kMaxForwards: r = CheckMaxForwards(h.value, &max_forwards_); break;
        case HeaderId::kExpires: r = CheckExpires(h.value); break;
        case HeaderId::kContentType: r = CheckContentType(h.value); break;
        case HeaderId::kAuthorization:
        case HeaderId::kProxyAuthorization: r = CheckCredentials(h.value); break;
        case HeaderId::kProxyRequire:
        case HeaderId::kRequire:
        case HeaderId::kUnsupported: r = CheckOptionTags(h.value, false); break;
        case HeaderId::kSupported: r = CheckOptionTags(h.value, true); break;
        default: break;
      }
      if (r.check != Check::kValid) return Reject(r.check, &h, r.detail);
    }
    if (!msg_.body().empty() && msg_.Find(HeaderId::kContentType) == nullptr) {
      return Reject(Check::kMissingContentType);
    }
    return {};
  }

  Verdict Policy() {
    for (const HeaderField& h : msg_.headers()) {
      if (h.id != HeaderId::kProxyRequire) continue;
      ListSplitter tags(h.value);
      std::string_view tag;
      while (tags.Next(&tag)) {
        bool supported = false;
        for (std::string_view s : options_.supported_extensions) {
          supported |= EqualsIgnoreCase(s, tag);
        }
        if (!supported) return Reject(Check::kBadExtension, &h, tag);
      }
    }
    if (max_forwards_ == 0) return Reject(Check::kTooManyHops, msg_.Find(HeaderId::kMaxForwards));
    return {};
  }

  const Message& msg_;
  const ValidatorOptions& options_;
  bool request_ = false;
  CSeqValue cseq_;
  int max_forwards_ = -1;  // -1 = absent
};

}  // namespace

Verdict Validate(const Message& msg, ParseError parse_error, const ValidatorOptions& options) {
  return Validator(msg, options).Run(parse_error);
}

Verdict ParseAndValidate(std::string_view data, const ValidatorOptions& options, Message* msg) {
  return Validate(*msg, Parse(data, options.transport, msg), options);
}

}  // namespace sipguard::sip
