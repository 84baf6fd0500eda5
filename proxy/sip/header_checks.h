// Checks of individual header values, used by the validator. Each returns the
// Check that failed (kValid when none) and a static detail text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sip/message.h"
#include "sip/name_addr.h"
#include "sip/verdict.h"

namespace sipguard::sip {

struct HeaderCheck {
  Check check = Check::kValid;
  std::string_view detail;
};

struct CSeqValue {
  uint32_t number = 0;
  std::string_view method;
};

// The IPv4 broadcast or unspecified address, or the unspecified IPv6 address,
// in any spelling (leading zeros, full or compressed form, with or without
// brackets): never a place to send a reply to.
bool IsBroadcastHost(std::string_view host);

// Every Via value: syntax, SIP/2.0, branch, received; adds the number of
// values to *count and fails past kMaxVias. A broadcast or unspecified
// sent-by/received is kBroadcastVia (responses would go to everyone: RFC 4475
// bcast).
HeaderCheck CheckVia(std::string_view value, size_t* count);

// From/To (single=true: exactly one address) and Route/Record-Route lists.
HeaderCheck CheckAddressList(std::string_view value, AddressForm form, bool single, Check bad,
                             Check bad_user, Check bad_host);

// Contact: addresses or "*"; "*" only alone, in a REGISTER with Expires: 0
// (RFC 3261 §10.2.2). `method` is empty for responses.
HeaderCheck CheckContact(std::string_view value, std::string_view method,
                         const HeaderField* expires, size_t contact_headers);

HeaderCheck CheckCallId(std::string_view value);

// CSeq = 1*DIGIT LWS Method, number <= 2^32-1, method equal to the request's
// (`method`, empty for responses). Mismatch with an unknown request method is
// 501 (RFC 4475 mismatch02), otherwise 400.
HeaderCheck CheckCSeq(std::string_view value, std::string_view method, CSeqValue* out);

// 0..255; *out receives the value.
HeaderCheck CheckMaxForwards(std::string_view value, int* out);
HeaderCheck CheckExpires(std::string_view value);
HeaderCheck CheckContentType(std::string_view value);
// Authorization / Proxy-Authorization: scheme and parameters; Digest must
// carry username, realm, nonce, uri and response. Unknown schemes pass (RFC
// 4475 regaut01).
HeaderCheck CheckCredentials(std::string_view value);
// Require / Proxy-Require / Supported / Unsupported: comma list of tokens;
// only Supported may be empty (RFC 3261 §25.1).
HeaderCheck CheckOptionTags(std::string_view value, bool allow_empty);

}  // namespace sipguard::sip
