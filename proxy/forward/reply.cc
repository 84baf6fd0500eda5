// Forwarder::Reply: a stateless reply to a request (RFC 3261 §8.2.6, sent
// per §18.2.2 and RFC 3581).
#include <array>

#include "forward/branch.h"
#include "forward/forwarder.h"
#include "forward/via_edit.h"
#include "sip/chars.h"
#include "sip/header_checks.h"
#include "sip/validator.h"
#include "sip/values.h"

namespace sipguard::forward {
namespace {

std::string_view ReasonPhrase(uint16_t status) {
  switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 480: return "Temporarily Unavailable";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 486: return "Busy Here";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    default: break;
  }
  return status < 300 ? "OK" : status < 400 ? "Redirect" : "Error";
}

bool ValidAddress(const sip::HeaderField* h) {
  return h != nullptr &&
         sip::CheckAddressList(h->value, sip::AddressForm::kFromTo, true, sip::Check::kBadFrom,
                               sip::Check::kBadFromUser, sip::Check::kBadFromHost)
                 .check == sip::Check::kValid;
}

// The reply's top Via must parse and point somewhere a reply may go.
bool UsableTopVia(const ViaElement& top) {
  return top.ok && sip::EqualsIgnoreCase(top.via.protocol, "SIP") && top.via.version == "2.0" &&
         !sip::IsBroadcastHost(top.via.host) &&
         (top.via.received.empty() || !sip::IsBroadcastHost(top.via.received));
}

}  // namespace

Result<Outcome> Forwarder::Reply(const sip::Message& request, const Endpoint& source,
                                 uint16_t status, std::span<char> out, Reason reason,
                                 std::string_view detail) const {
  if (status < 100 || status > 699) {
    return Error("stateless reply: status " + std::to_string(status) + " is not 100..699");
  }
  Outcome o;
  o.reason = reason;
  o.detail = detail;
  if (!request.is_request() || request.method() == "ACK") {
    o.detail = "ACK is never answered";
    return o;
  }
  ViaWalker walk(request);
  ViaElement top;
  const sip::HeaderField* from = request.Find(sip::HeaderId::kFrom);
  const sip::HeaderField* to = request.Find(sip::HeaderId::kTo);
  const sip::HeaderField* call_id = request.Find(sip::HeaderId::kCallId);
  const sip::HeaderField* cseq = request.Find(sip::HeaderId::kCSeq);
  sip::CSeqValue cseq_value;
  if (!walk.Next(&top) || !UsableTopVia(top) || !ValidAddress(from) || !ValidAddress(to) ||
      call_id == nullptr || sip::CheckCallId(call_id->value).check != sip::Check::kValid ||
      cseq == nullptr || sip::CheckCSeq(cseq->value, "", &cseq_value).check != sip::Check::kValid) {
    o.detail = "no valid Via, From, To, Call-ID or CSeq to reply with";
    return o;
  }

  // §18.2.2: over a stream, the connection it came on; over UDP, the source
  // address (the received= we add) and the rport or sent-by port.
  Endpoint dest = source;
  if (source.transport == Transport::kUdp && !top.via.has_rport) {
    dest.port = top.via.port != 0 ? top.via.port : 5060;
  }
  if (!IsSendableAddress(dest.ip) || dest.port == 0) {
    o.detail = "reply destination is broadcast, unspecified or multicast";
    return o;
  }

  Writer w(out);
  w.Put("SIP/2.0 ");
  w.PutDecimal(status);
  w.Put(' ');
  w.Put(ReasonPhrase(status));
  // The Via lines, as long as they parse: the reply must be one the client
  // can parse, and a hop below a broken Via is unreachable anyway.
  size_t vias = 1;
  std::string_view rest = RestAfter(*top.field, top.element);
  bool copy = rest.empty() || sip::CheckVia(rest, &vias).check == sip::Check::kValid;
  w.Put("\r\nVia: ");
  WriteTopViaValue(w, top, source.ip, source.port, /*with_rest=*/copy);
  w.Put("\r\n");
  for (const sip::HeaderField& h : request.headers()) {
    if (!copy) break;
    if (h.id != sip::HeaderId::kVia || h.value.data() <= top.field->value.data()) continue;
    copy = sip::CheckVia(h.value, &vias).check == sip::Check::kValid;
    if (!copy) break;
    w.Put(LineOf(h));
    w.Put("\r\n");
  }
  w.Put(LineOf(*from));
  w.Put("\r\n");
  w.Put(LineOf(*to));
  sip::NameAddr to_addr;
  sip::UriError uri_error = sip::UriError::kNone;
  sip::ParseNameAddr(to->value, sip::AddressForm::kFromTo, &to_addr, &uri_error);
  if (to_addr.tag.empty()) {  // §8.2.6.2: deterministic, so retransmissions agree
    std::array<char, kToTagLength> tag{};
    PutToTag(TransactionHash(request, top.via, identity_.secret), identity_.secret, tag.data());
    w.Put(";tag=");
    w.Put(std::string_view(tag.data(), tag.size()));
  }
  w.Put("\r\n");
  w.Put(LineOf(*call_id));
  w.Put("\r\n");
  w.Put(LineOf(*cseq));
  w.Put("\r\n");
  if (status == 420) WriteUnsupported(w, request);
  if (status == 503 && options_.retry_after != 0) {
    w.Put("Retry-After: ");
    w.PutDecimal(options_.retry_after);
    w.Put("\r\n");
  }
  w.Put("Server: sipguard\r\nContent-Length: 0\r\n\r\n");
  if (w.overflow()) {
    return Error("stateless reply does not fit the " + std::to_string(out.size()) +
                 "-byte output buffer");
  }
  o.action = sip::Action::kReply;
  o.status = status;
  o.destination = dest;
  o.bytes = w.view();
  return o;
}

void Forwarder::WriteUnsupported(Writer& w, const sip::Message& request) const {
  // Every Proxy-Require tag we do not support (RFC 3261 §20.40, §8.2.2.3).
  bool any = false;
  for (const sip::HeaderField& h : request.headers()) {
    if (h.id != sip::HeaderId::kProxyRequire) continue;
    sip::ListSplitter tags(h.value);
    std::string_view tag;
    while (tags.Next(&tag)) {
      bool supported = false;
      for (const std::string& s : options_.supported_extensions) {
        supported = supported || sip::EqualsIgnoreCase(s, tag);
      }
      if (supported || !sip::IsToken(tag)) continue;
      w.Put(any ? ", " : "Unsupported: ");
      w.Put(tag);
      any = true;
    }
  }
  if (any) w.Put("\r\n");
}

}  // namespace sipguard::forward
