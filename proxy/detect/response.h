// ResponseSample: what the proxy knows when a backend's final response goes
// back to a client, the input of the response-based detectors
// (auth_failure.h, enumeration.h).
//
// The proxy is stateless, so it fills this from the response itself: the
// client is the address the response is sent to (the top Via the proxy
// removed, i.e. the request's real source address, never a header value the
// client chose), the method is the CSeq method, the To user is the user part
// of the To URI (empty when there is none).
#pragma once

#include <string_view>

#include "common/ip_address.h"

namespace sipguard::detect {

struct ResponseSample {
  IpAddress client;
  std::string_view method;   // e.g. "REGISTER" (case-sensitive, as in SIP)
  int status = 0;            // 100..699
  std::string_view to_user;  // may be empty; only needs to live for the call
};

// What a response-based detector answers.
struct ResponseVerdict {
  // Report one event of the detector's type now.
  bool report = false;
  // The detector's measure at that moment: failed attempts (auth-failure)
  // or distinct users not found (enumeration) in the current window.
  uint32_t count = 0;
};

}  // namespace sipguard::detect
