// Forwarder::Response: a response on its way back (RFC 3261 §16.7 item 9,
// §18.1.2, §18.2.2; RFC 3581 §4).
#include "forward/forwarder.h"
#include "forward/via_edit.h"

namespace sipguard::forward {
namespace {

Outcome Drop(Reason reason, std::string_view detail) {
  Outcome o;
  o.reason = reason;
  o.detail = detail;
  return o;
}

// An address written in a Via (received= or an IP sent-by), brackets or not.
bool ParseViaAddress(std::string_view text, IpAddress* out) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  Result<IpAddress> ip = IpAddress::Parse(text);
  if (!ip.ok()) return false;
  *out = *ip;
  return true;
}

}  // namespace

Result<Outcome> Forwarder::Response(const sip::Message& msg, const Endpoint& /*source*/,
                                    std::span<char> out) const {
  ViaWalker walk(msg);
  ViaElement top, next;
  if (!walk.Next(&top) || !top.ok || !IsOurViaEntry(top.via)) {
    return Drop(Reason::kForeignVia, "top Via is not ours");
  }
  if (!walk.Next(&next) || !next.ok) return Drop(Reason::kNoNextVia, "no Via below ours");

  // Where the next hop wants it: received (and rport) as we recorded them on
  // the way in, else the sent-by it wrote. maddr is ignored: no multicast.
  Endpoint dest;
  if (!TransportFromToken(next.via.transport, &dest.transport)) {
    return Drop(Reason::kUnsupportedTransport, "next Via transport is neither UDP nor TCP");
  }
  std::string_view address = next.via.received;
  if (address.empty()) {
    if (next.via.host_kind == sip::HostKind::kName) {
      return Drop(Reason::kUnresolvableVia,
                  "next Via sent-by is a host name and a stateless proxy does not resolve names");
    }
    address = next.via.host;
  }
  if (!ParseViaAddress(address, &dest.ip)) {
    return Drop(Reason::kBadDestination, "next Via address does not parse");
  }
  if (next.via.has_rport && next.via.rport != 0) {
    dest.port = next.via.rport;
  } else {
    dest.port = next.via.port != 0 ? next.via.port : 5060;
  }
  if (!IsSendableAddress(dest.ip)) {
    return Drop(Reason::kBadDestination, "next Via is broadcast, unspecified or multicast");
  }

  Writer w(out);
  w.Put(msg.start_line());
  w.Put("\r\n");
  for (const sip::HeaderField& h : msg.headers()) {
    if (&h == top.field) {  // our entry goes; the line stays if it held more
      std::string_view rest = RestAfter(h, top.element);
      if (!rest.empty()) w.Header(h.name, rest);
      continue;
    }
    w.Put(LineOf(h));
    w.Put("\r\n");
  }
  if (Status st = FinishForwarded(&w, msg, out.size(), "response"); !st.ok()) return st.error();
  Outcome o;
  o.action = sip::Action::kForward;
  o.destination = dest;
  o.bytes = w.view();
  return o;
}

}  // namespace sipguard::forward
