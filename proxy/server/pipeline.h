// Pipeline: what the proxy does with one received message, as pure logic:
// bytes + source endpoint + time in, one Decision out (send these bytes
// there, or drop, and why), with offence events written through the
// worker's Reporter (into the runtime's EventSink). No sockets: the worker does the I/O.
//
// Requests, in this order:
//   1. flood check on every packet, before parsing (a flood of junk is
//      still a flood): drop, one `flood` event per source per window;
//   2. Parse + Validate; empty datagrams and CRLF keep-alives are dropped
//      without an event;
//   3. scanner check on anything that parsed as a request: silent drop and a
//      `scanner` event. It runs before the validator's verdict is acted on,
//      so a scanner never gets an informative reply, not even a 400;
//   4. invalid request: the validator's reply (or drop) and a `malformed`
//      event; Max-Forwards 0: 483 and a `too-many-hops` event;
//   5. the Forwarder: forward to a backend, or its own reply (482 + `loop`,
//      483 + `too-many-hops`, 503 when no backend is healthy, ...).
// Responses are accepted only from a backend's address (else a forged
// response could name any victim in its Via and have it reported); answers
// to our own health probes are consumed; the rest is routed back by the
// Forwarder, and final responses feed the auth-failure and enumeration
// detectors with the CLIENT's address: the destination the Forwarder took
// from the Via entry the proxy itself stamped (received=/rport), never a
// header value the client chose.
// Trusted sources and backends are never flood-limited nor reported.
//
// Ownership: the Pipeline owns its detectors and Reporter and shares the
// Runtime (and through it the EventSink); the WorkerCounters belong to the
// caller and must outlive it. Decision::bytes points into the caller's `out`.
// Thread-safety: none; one Pipeline per worker thread.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/event.h"
#include "common/result.h"
#include "detect/auth_failure.h"
#include "detect/enumeration.h"
#include "detect/flood.h"
#include "forward/endpoint.h"
#include "report/event_sink.h"
#include "report/reporter.h"
#include "server/counters.h"
#include "server/runtime.h"
#include "sip/message.h"

namespace sipguard::server {

enum class Disposition : uint8_t {
  kForwardRequest,   // send `bytes` to a backend
  kForwardResponse,  // send `bytes` back to the client
  kReply,            // send our own reply (`status`) to the sender
  kDrop,             // nothing to send (`drop` says why)
  kConsumed,         // an answer to our health probe
};

struct Decision {
  Disposition disposition = Disposition::kDrop;
  DropReason drop = DropReason::kInternal;  // with kDrop
  uint16_t status = 0;                      // with kReply
  forward::Endpoint destination;            // with kForward*/kReply
  std::string_view bytes;                   // with kForward*/kReply: in `out`
};

// Output buffer size a caller should give Process(): the largest datagram.
inline constexpr size_t kMaxMessageBytes = 65536;

class Pipeline {
 public:
  // Fails when a detector refuses the runtime's config (the Error names it).
  static Result<std::unique_ptr<Pipeline>> Create(std::shared_ptr<const Runtime> runtime,
                                                  WorkerCounters* counters);

  // Switches to a new runtime (reload). Detectors whose config did not change
  // keep their state; on Error nothing changed.
  Status SetRuntime(std::shared_ptr<const Runtime> runtime);
  const Runtime& runtime() const { return *runtime_; }

  // Judges one message. `source.transport` selects the framing (TCP: one
  // whole message, as framed by the caller). Counts into the counters.
  Decision Process(std::string_view bytes, const forward::Endpoint& source, detect::TimePoint now,
                   std::span<char> out);

  // A stream whose framing broke (oversize header section, bad
  // Content-Length, ...): one `malformed` event for `source` with what can
  // be read of `bytes`, and a malformed drop counted. The caller closes the
  // connection.
  void RejectStream(std::string_view bytes, const forward::Endpoint& source, detect::TimePoint now);

  // Copies the Reporter's counters into the WorkerCounters.
  void SyncCounters();
  // The latest event sink error since the previous call (for main to log).
  std::optional<Error> TakeSinkError();

 private:
  explicit Pipeline(WorkerCounters* counters) : counters_(counters) {}

  Decision HandleRequest(const sip::Verdict& verdict, const forward::Endpoint& source,
                         detect::TimePoint now, std::span<char> out);
  Decision HandleResponse(const sip::Verdict& verdict, const forward::Endpoint& source,
                          detect::TimePoint now, std::span<char> out);
  void ObserveFinal(const forward::Endpoint& client, int status, detect::TimePoint now);
  bool Reportable(const IpAddress& ip) const;
  void Report(EventType type, const forward::Endpoint& src, const sip::Message* msg, int reply,
              int retcode, uint32_t count, detect::TimePoint now);
  Decision Count(Decision d);

  WorkerCounters* counters_;
  std::shared_ptr<const Runtime> runtime_;
  std::optional<detect::FloodDetector> flood_;
  std::optional<detect::AuthFailureDetector> auth_;
  std::optional<detect::EnumerationDetector> enumeration_;
  std::unique_ptr<Reporter> reporter_;
  ReporterCounters retired_;  // of Reporters replaced by a reload
  std::vector<std::string_view> extensions_;
  std::vector<forward::Backend> backends_;  // scratch: health snapshot per request
  sip::Message msg_;
};

// True when `msg` is a response to one of our health probes (top Via branch
// equals `token`).
bool IsHealthReply(const sip::Message& msg, std::string_view token);

}  // namespace sipguard::server
