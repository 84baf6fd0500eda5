// The few values of a parsed message that events and the response detectors
// need, read leniently: the message may have failed validation, so any of
// them may be empty. Views into the message's bytes; no allocation.
#pragma once

#include <string_view>

#include "sip/message.h"

namespace sipguard::server {

struct MessageFields {
  std::string_view method;  // request method, or the CSeq method of a response
  std::string_view cseq_method;
  std::string_view call_id;
  std::string_view from_uri;    // the URI inside From, or its raw value if it does not parse
  std::string_view user_agent;  // User-Agent (requests) or Server (responses)
  std::string_view to_user;     // user part of the To URI
};

MessageFields ReadFields(const sip::Message& msg);

// The status code of a response's start line, or 0.
int StatusCode(const sip::Message& msg);

}  // namespace sipguard::server
