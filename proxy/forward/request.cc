// Forwarder::Request: a valid request on its way to a backend (RFC 3261
// §16.3-16.6, §16.11).
#include <algorithm>
#include <array>

#include "forward/branch.h"
#include "forward/forwarder.h"
#include "forward/via_edit.h"
#include "sip/name_addr.h"
#include "sip/numbers.h"
#include "sip/validator.h"

namespace sipguard::forward {
namespace {

// Requests that create a dialog, which the proxy stays in by Record-Route.
bool IsDialogCreating(std::string_view method) {
  return method == "INVITE" || method == "SUBSCRIBE" || method == "REFER" || method == "NOTIFY";
}

}  // namespace

Result<Outcome> Forwarder::Request(const sip::Message& msg, const Endpoint& source,
                                   std::span<const Backend> backends, std::span<char> out) const {
  Outcome o;
  // A request from our own socket would be forwarded to ourselves forever.
  if (IsOwnEndpoint(source)) {
    o.reason = Reason::kFromSelf;
    o.detail = "source is one of our listen endpoints";
    return o;
  }

  // Loop detection (§16.3 item 4, without spiral support): any Via entry of
  // ours means the request has been here before. Only an element holding our
  // branch prefix is parsed.
  ViaWalker walk(msg);
  ViaElement top;
  if (!walk.Next(&top) || !top.ok) {  // validated: cannot happen
    o.reason = Reason::kInvalid;
    o.detail = "no parsable top Via";
    return o;
  }
  size_t vias = 1;
  bool loop = IsOurViaEntry(top.via);
  ViaElement v;
  while (!loop && walk.Next(&v, /*parse=*/false)) {
    ++vias;
    if (v.element.find(kBranchPrefix) == std::string_view::npos) continue;
    loop = sip::ParseVia(v.element, &v.via) == sip::ViaError::kNone && IsOurViaEntry(v.via);
  }
  if (loop) return Reply(msg, source, 482, out, Reason::kLoop, "our Via is already in the request");
  if (vias + 1 > sip::kMaxVias) {
    return Reply(msg, source, 483, out, Reason::kTooManyHops, "Via list full");
  }

  // Max-Forwards (§16.6 item 3): capped at the limit, then decremented.
  const sip::HeaderField* max_forwards = msg.Find(sip::HeaderId::kMaxForwards);
  uint64_t hops = options_.max_forwards;
  uint64_t received_hops = 0;
  if (max_forwards != nullptr && sip::ParseDecimal(max_forwards->value, 255, &received_hops)) {
    hops = std::min(hops, received_hops);
  }
  if (hops <= 1) {
    return Reply(msg, source, 483, out, Reason::kTooManyHops, "Max-Forwards would reach 0");
  }
  --hops;

  // Loose routing (§16.4): our own Route entry on top is consumed.
  const sip::HeaderField* route = msg.Find(sip::HeaderId::kRoute);
  bool drop_route = false;
  std::string_view route_rest;  // the Route line's other entries
  if (route != nullptr) {
    sip::ListSplitter list(route->value);
    std::string_view first;
    sip::NameAddr addr;
    sip::UriError uri_error = sip::UriError::kNone;
    drop_route = list.Next(&first) &&
                 sip::ParseNameAddr(first, sip::AddressForm::kRoute, &addr, &uri_error) ==
                     sip::NameAddrError::kNone &&
                 IsOurHost(addr.uri.host, addr.uri.port);
    if (drop_route) route_rest = RestAfter(*route, first);
  }

  // Backend: rendezvous hashing of the Call-ID over the healthy ones.
  const sip::HeaderField* call_id = msg.Find(sip::HeaderId::kCallId);
  const Backend* backend =
      PickBackend(backends, call_id != nullptr ? call_id->value : "", identity_.secret);
  if (backend == nullptr) {
    if (options_.no_backend == NoBackendPolicy::kReply503) {
      return Reply(msg, source, 503, out, Reason::kNoBackend, "no healthy backend");
    }
    o.reason = Reason::kNoBackend;
    o.detail = "no healthy backend (configured to drop)";
    return o;
  }
  const Face& via_face = FaceFor(backend->endpoint.transport, backend->endpoint.ip);
  const Face* rr_face = options_.record_route && IsDialogCreating(msg.method())
                            ? &FaceFor(source.transport, source.ip)
                            : nullptr;

  // The header limit of the next parser (ours among them): our lines must
  // fit. When only our Via is too many, it shares the top Via's line.
  size_t lines = msg.headers().size() + 1;
  if (max_forwards == nullptr) ++lines;
  if (rr_face != nullptr) ++lines;
  if (!msg.has_content_length()) ++lines;
  if (drop_route && route_rest.empty()) --lines;
  bool merge_via = lines > sip::Message::kMaxHeaders;
  if (merge_via) --lines;
  if (lines > sip::Message::kMaxHeaders) {
    return Reply(msg, source, 513, out, Reason::kHeaderLimit,
                 "forwarded request would exceed the header limit");
  }

  std::array<char, kBranchLength> branch{};
  PutBranch(TransactionHash(msg, top.via, identity_.secret), branch.data());
  std::string_view branch_text(branch.data(), branch.size());

  Writer w(out);
  w.Put(msg.start_line());
  w.Put("\r\n");
  const sip::HeaderField* first_rr = msg.Find(sip::HeaderId::kRecordRoute);
  for (const sip::HeaderField& h : msg.headers()) {
    if (&h == top.field) {
      if (merge_via) {  // "Via: ours, theirs..." on one line
        w.Put(via_face.via_prefix);
        w.Put(branch_text);
        w.Put(", ");
      } else {
        w.Put(via_face.via_prefix);
        w.Put(branch_text);
        w.Put("\r\nVia: ");
      }
      WriteTopViaValue(w, top, source.ip, source.port);
      w.Put("\r\n");
      if (max_forwards == nullptr) {
        w.Put("Max-Forwards: ");
        w.PutDecimal(hops);
        w.Put("\r\n");
      }
      if (rr_face != nullptr && first_rr == nullptr) w.Put(rr_face->record_route);
      continue;
    }
    if (&h == max_forwards) {
      w.Put(h.name);
      w.Put(": ");
      w.PutDecimal(hops);
      w.Put("\r\n");
      continue;
    }
    if (&h == route && drop_route) {
      if (!route_rest.empty()) w.Header(h.name, route_rest);
      continue;
    }
    if (&h == first_rr && rr_face != nullptr) w.Put(rr_face->record_route);
    w.Put(LineOf(h));
    w.Put("\r\n");
  }
  if (Status st = FinishForwarded(&w, msg, out.size(), "request"); !st.ok()) return st.error();
  o.action = sip::Action::kForward;
  o.destination = backend->endpoint;
  o.bytes = w.view();
  return o;
}

}  // namespace sipguard::forward
