// Forwarder: the stateless proxy core (RFC 3261 §16.11). Pure logic, no
// sockets: given a parsed, validated message and where it came from, it
// produces the bytes to send and where to send them.
//
//   Request()   a valid request: loop and Max-Forwards checks, Route and Via
//               edits, our Via with a stateless branch, Record-Route, backend
//               choice by rendezvous hashing of the Call-ID.
//   Response()  a valid response: our top Via checked and removed, sent on
//               to the next Via (received/rport, RFC 3581).
//   Reply()     a stateless reply to a request (RFC 3261 §8.2.6), for the
//               validator's verdicts and the Forwarder's own.
//   Handle()    all of the above for one message and its validator verdict.
//
// Outcomes: what to do is a value, never an exception or an Error: forward
// or reply (send Outcome::bytes to Outcome::destination) or drop. A refusal
// names its Reason (stable name, offence or not) so the caller can report
// it; 482 Loop Detected and the drop of a request from our own address are
// offences. An Error means only that the caller's output buffer is too small.
//
// Output: written into the caller's buffer (e.g. 64 KiB), built from views
// of the input (start line, header lines, body) with the edits; Outcome::bytes
// points into that buffer. No heap allocation on the forward path.
//
// Thread-safety: a Forwarder is immutable after Create(); its methods are
// const and may run concurrently. Inputs (messages, backend sets, buffers)
// belong to the caller and must not change during a call.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "forward/backends.h"
#include "forward/config.h"
#include "forward/endpoint.h"
#include "forward/writer.h"
#include "sip/message.h"
#include "sip/verdict.h"
#include "sip/via.h"

namespace sipguard::forward {

enum class Reason : uint8_t {
  kNone = 0,              // forwarded
  kInvalid,               // the validator's verdict (see sip::Verdict)
  kFromSelf,              // request from one of our own endpoints: drop (offence)
  kLoop,                  // our Via already in the request: 482 (offence)
  kTooManyHops,           // Max-Forwards would reach 0, or the Via list is full: 483
  kNoBackend,             // no healthy backend: 503 or drop (ForwardOptions)
  kHeaderLimit,           // the forwarded request would exceed the parser's limits: 513
  kForeignVia,            // response whose top Via is not ours: drop (RFC 3261 §18.1.2)
  kNoNextVia,             // response with no Via below ours: drop
  kUnresolvableVia,       // next hop is a host name without received=: drop
  kUnsupportedTransport,  // next hop's transport is neither UDP nor TCP: drop
  kBadDestination,        // broadcast, unspecified, multicast or port 0: drop
  kCount
};

struct ReasonInfo {
  std::string_view name;  // stable id for events and logs, e.g. "loop"
  std::string_view text;  // human text
  bool offence;           // the sender misbehaved (report it as an event)
};
const ReasonInfo& Describe(Reason reason);

struct Outcome {
  sip::Action action = sip::Action::kDrop;  // kForward and kReply: send `bytes`
  Reason reason = Reason::kNone;
  uint16_t status = 0;      // with kReply: the status code sent
  std::string_view detail;  // static refinement; may be empty
  Endpoint destination;     // with kForward/kReply
  std::string_view bytes;   // with kForward/kReply: in the caller's buffer
};

class Forwarder {
 public:
  // Fails when the identity has no listen endpoint, an unusable address, or
  // an all-zero secret, or when an option is out of range.
  static Result<Forwarder> Create(ProxyIdentity identity, ForwardOptions options);

  // Precondition for all: `msg` was parsed and passed the validator (for
  // Reply: it is a request with at least a parsable top Via).
  Result<Outcome> Request(const sip::Message& msg, const Endpoint& source,
                          std::span<const Backend> backends, std::span<char> out) const;
  Result<Outcome> Response(const sip::Message& msg, const Endpoint& source,
                           std::span<char> out) const;
  // `reason` and `detail` are copied into the Outcome. Drops instead (with
  // `reason` kept and a detail saying why) for an ACK, which is never
  // answered, and when the request lacks a valid top Via, From, To, Call-ID
  // or CSeq to copy: a reply the client cannot match is only noise. Lower
  // Via lines that do not parse are left out. Error when `status` is not
  // 100..699 or `out` is too small.
  Result<Outcome> Reply(const sip::Message& request, const Endpoint& source, uint16_t status,
                        std::span<char> out, Reason reason = Reason::kInvalid,
                        std::string_view detail = {}) const;
  // Acts on the validator's verdict for `msg`: reply or drop as it says, or
  // Request()/Response() when it is ok.
  Result<Outcome> Handle(const sip::Message& msg, const sip::Verdict& verdict,
                         const Endpoint& source, std::span<const Backend> backends,
                         std::span<char> out) const;

  const ProxyIdentity& identity() const { return identity_; }
  const ForwardOptions& options() const { return options_; }

  // Helpers shared by the request, response and reply builders.
  bool IsOurViaEntry(const sip::Via& via) const;
  bool IsOurHost(std::string_view host, uint16_t port) const;
  bool IsOwnEndpoint(const Endpoint& e) const;

 private:
  // One listen endpoint, pre-rendered once.
  struct Face {
    Endpoint endpoint;
    std::string host;          // "192.0.2.1" or "[2001:db8::1]"
    std::string via_prefix;    // "Via: SIP/2.0/UDP 192.0.2.1:5060;branch="
    std::string record_route;  // "Record-Route: <sip:192.0.2.1:5060;transport=udp;lr>\r\n"
  };
  Forwarder(ProxyIdentity identity, ForwardOptions options);
  const Face& FaceFor(Transport transport, const IpAddress& peer) const;
  void WriteUnsupported(Writer& w, const sip::Message& request) const;

  ProxyIdentity identity_;
  ForwardOptions options_;
  std::vector<Face> faces_;
};

}  // namespace sipguard::forward
