#include "forward/forwarder.h"

#include <array>
#include <utility>

#include "forward/branch.h"
#include "sip/chars.h"

namespace sipguard::forward {
namespace {

constexpr std::array<ReasonInfo, static_cast<size_t>(Reason::kCount)> kReasons = {{
    {"forwarded", "forwarded", false},
    {"invalid", "rejected by the validator", true},
    {"from-self", "request from one of our own addresses", true},
    {"loop", "Loop Detected: our Via is already in the request", true},
    {"too-many-hops", "Too Many Hops", true},
    {"no-backend", "no healthy backend", false},
    {"header-limit", "forwarded request would exceed the header limit", false},
    {"foreign-via", "response whose top Via is not ours", true},
    {"no-next-via", "response with no Via below ours", true},
    {"unresolvable-via", "next Via is a host name without received=", false},
    {"unsupported-transport", "next hop transport is neither UDP nor TCP", false},
    {"bad-destination", "destination is broadcast, unspecified or multicast", true},
}};

}  // namespace

const ReasonInfo& Describe(Reason reason) {
  size_t i = static_cast<size_t>(reason);
  return kReasons[i < kReasons.size() ? i : 0];
}

Result<Forwarder> Forwarder::Create(ProxyIdentity identity, ForwardOptions options) {
  if (identity.listen.empty()) return Error("proxy identity: no listen endpoint");
  for (const Endpoint& e : identity.listen) {
    if (e.ip.is_unspecified() || e.ip.is_broadcast() || e.ip.is_multicast() || e.port == 0) {
      return Error("proxy identity: listen endpoint " + ToHostPort(e) +
                   " cannot be written into Via (unspecified, broadcast, multicast or port 0)");
    }
  }
  if (identity.secret[0] == 0 && identity.secret[1] == 0) {
    return Error("proxy identity: the branch secret is all zero (use random bytes)");
  }
  if (options.max_forwards < 1 || options.max_forwards > 255) {
    return Error("forward options: max_forwards " + std::to_string(options.max_forwards) +
                 " is not in 1..255");
  }
  return Forwarder(std::move(identity), std::move(options));
}

Forwarder::Forwarder(ProxyIdentity identity, ForwardOptions options)
    : identity_(std::move(identity)), options_(std::move(options)) {
  for (const Endpoint& e : identity_.listen) {
    Face f;
    f.endpoint = e;
    std::array<char, kMaxIpText> host{};
    f.host.assign(host.data(), FormatIp(e.ip, /*brackets=*/true, host.data()));
    std::string hostport = ToHostPort(e);
    f.via_prefix = "Via: SIP/2.0/";
    f.via_prefix += ViaTransportToken(e.transport);
    f.via_prefix += ' ';
    f.via_prefix += hostport;
    f.via_prefix += ";branch=";
    f.record_route = "Record-Route: <sip:" + hostport + ";transport=";
    f.record_route += UriTransportParam(e.transport);
    f.record_route += ";lr>\r\n";
    faces_.push_back(std::move(f));
  }
}

const Forwarder::Face& Forwarder::FaceFor(Transport transport, const IpAddress& peer) const {
  const Face* same_transport = nullptr;
  for (const Face& f : faces_) {
    if (f.endpoint.transport != transport) continue;
    if (f.endpoint.ip.family() == peer.family()) return f;
    if (same_transport == nullptr) same_transport = &f;
  }
  if (same_transport != nullptr) return *same_transport;
  for (const Face& f : faces_) {
    if (f.endpoint.ip.family() == peer.family()) return f;
  }
  return faces_.front();
}

bool Forwarder::IsOurHost(std::string_view host, uint16_t port) const {
  uint16_t p = port != 0 ? port : 5060;
  for (const Face& f : faces_) {
    if (f.endpoint.port == p && sip::EqualsIgnoreCase(f.host, host)) return true;
  }
  for (const std::string& alias : identity_.aliases) {
    if (!sip::EqualsIgnoreCase(alias, host)) continue;
    for (const Face& f : faces_) {
      if (f.endpoint.port == p) return true;
    }
  }
  return false;
}

bool Forwarder::IsOurViaEntry(const sip::Via& via) const {
  // The branch test is one compare and rules out nearly every Via; only
  // then are the host texts compared.
  return via.branch.starts_with(kBranchPrefix) && IsOurHost(via.host, via.port);
}

bool Forwarder::IsOwnEndpoint(const Endpoint& e) const {
  for (const Face& f : faces_) {
    if (f.endpoint.ip == e.ip && f.endpoint.port == e.port) return true;
  }
  return false;
}

Result<Outcome> Forwarder::Handle(const sip::Message& msg, const sip::Verdict& verdict,
                                  const Endpoint& source, std::span<const Backend> backends,
                                  std::span<char> out) const {
  switch (verdict.action) {
    case sip::Action::kForward:
      return msg.is_request() ? Request(msg, source, backends, out) : Response(msg, source, out);
    case sip::Action::kReply:
      return Reply(msg, source, verdict.status, out, Reason::kInvalid, verdict.detail);
    case sip::Action::kDrop: break;
  }
  Outcome o;
  o.reason = Reason::kInvalid;
  o.detail = verdict.detail;
  return o;
}

}  // namespace sipguard::forward
