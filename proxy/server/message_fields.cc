#include "server/message_fields.h"

#include "sip/name_addr.h"

namespace sipguard::server {
namespace {

std::string_view Value(const sip::Message& msg, sip::HeaderId id) {
  const sip::HeaderField* f = msg.Find(id);
  return f != nullptr ? f->value : std::string_view{};
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// "314159 INVITE" -> "INVITE".
std::string_view CSeqMethod(std::string_view cseq) {
  size_t i = 0;
  while (i < cseq.size() && !IsSpace(cseq[i])) ++i;
  while (i < cseq.size() && IsSpace(cseq[i])) ++i;
  std::string_view rest = cseq.substr(i);
  size_t end = 0;
  while (end < rest.size() && !IsSpace(rest[end])) ++end;
  return rest.substr(0, end);
}

}  // namespace

MessageFields ReadFields(const sip::Message& msg) {
  MessageFields f;
  f.cseq_method = CSeqMethod(Value(msg, sip::HeaderId::kCSeq));
  f.method = msg.is_request() ? msg.method() : f.cseq_method;
  f.call_id = Value(msg, sip::HeaderId::kCallId);
  f.user_agent = Value(msg, msg.is_request() ? sip::HeaderId::kUserAgent : sip::HeaderId::kServer);
  std::string_view from = Value(msg, sip::HeaderId::kFrom);
  f.from_uri = from;
  sip::NameAddr na;
  sip::UriError uri_error{};
  if (!from.empty() && sip::ParseNameAddr(from, sip::AddressForm::kFromTo, &na, &uri_error) ==
                           sip::NameAddrError::kNone) {
    f.from_uri = na.uri_text;
  }
  std::string_view to = Value(msg, sip::HeaderId::kTo);
  if (!to.empty() && sip::ParseNameAddr(to, sip::AddressForm::kFromTo, &na, &uri_error) ==
                         sip::NameAddrError::kNone) {
    f.to_user = na.uri.user;
  }
  return f;
}

int StatusCode(const sip::Message& msg) {
  std::string_view t = msg.status_code_text();
  if (msg.is_request() || t.size() != 3) return 0;
  int v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace sipguard::server
