#include "server/pipeline.h"

#include <algorithm>

#include "forward/via_edit.h"
#include "server/message_fields.h"
#include "sip/validator.h"

namespace sipguard::server {
namespace {

bool SameCidrs(const CidrSet& a, const CidrSet& b) { return a.entries() == b.entries(); }

bool Same(const detect::FloodConfig& a, const detect::FloodConfig& b) {
  return a.limit == b.limit && a.window == b.window && a.capacity == b.capacity &&
         a.v6_prefix_len == b.v6_prefix_len && SameCidrs(a.trusted, b.trusted);
}
bool Same(const detect::AuthFailureConfig& a, const detect::AuthFailureConfig& b) {
  return a.window == b.window && a.forbidden_limit == b.forbidden_limit &&
         a.challenge_limit == b.challenge_limit && a.capacity == b.capacity &&
         a.v6_prefix_len == b.v6_prefix_len && SameCidrs(a.trusted, b.trusted);
}
bool Same(const detect::EnumerationConfig& a, const detect::EnumerationConfig& b) {
  return a.window == b.window && a.distinct_limit == b.distinct_limit && a.capacity == b.capacity &&
         a.v6_prefix_len == b.v6_prefix_len && a.hash_seed == b.hash_seed &&
         SameCidrs(a.trusted, b.trusted);
}

void AddCounters(ReporterCounters* into, const ReporterCounters& c) {
  into->written += c.written;
  into->suppressed += c.suppressed;
  into->failed += c.failed;
}

Decision Drop(DropReason reason) {
  Decision d;
  d.drop = reason;
  return d;
}

Decision Send(Disposition what, const forward::Outcome& o) {
  Decision d;
  d.disposition = what;
  d.status = o.status;
  d.destination = o.destination;
  d.bytes = o.bytes;
  return d;
}

// The event a Forwarder refusal is reported as, when it is an offence.
EventType EventFor(forward::Reason reason) {
  switch (reason) {
    case forward::Reason::kLoop:
    case forward::Reason::kFromSelf: return EventType::kLoop;
    case forward::Reason::kTooManyHops: return EventType::kTooManyHops;
    default: return EventType::kMalformed;
  }
}

}  // namespace

bool IsHealthReply(const sip::Message& msg, std::string_view token) {
  if (msg.is_request() || token.empty()) return false;
  forward::ViaWalker walk(msg);
  forward::ViaElement top;
  return walk.Next(&top) && top.ok && top.via.branch == token;
}

Result<std::unique_ptr<Pipeline>> Pipeline::Create(std::shared_ptr<const Runtime> runtime,
                                                   WorkerCounters* counters) {
  std::unique_ptr<Pipeline> p(new Pipeline(counters));
  if (Status s = p->SetRuntime(std::move(runtime)); !s.ok()) return s.error();
  return p;
}

Status Pipeline::SetRuntime(std::shared_ptr<const Runtime> runtime) {
  const ProxyConfig& c = runtime->config;
  std::optional<detect::FloodDetector> flood;
  std::optional<detect::AuthFailureDetector> auth;
  std::optional<detect::EnumerationDetector> enumeration;
  if (!flood_ || !Same(flood_->config(), c.flood)) {
    auto r = detect::FloodDetector::Create(c.flood);
    if (!r.ok()) return Error("flood: " + r.error().message());
    flood.emplace(std::move(r).value());
  }
  const ProxyConfig* old = runtime_ ? &runtime_->config : nullptr;
  if (!auth_ || old == nullptr || !Same(old->auth_failure, c.auth_failure)) {
    auto r = detect::AuthFailureDetector::Create(c.auth_failure);
    if (!r.ok()) return Error("auth-failure: " + r.error().message());
    auth.emplace(std::move(r).value());
  }
  if (!enumeration_ || old == nullptr || !Same(old->enumeration, c.enumeration)) {
    auto r = detect::EnumerationDetector::Create(c.enumeration);
    if (!r.ok()) return Error("enumeration: " + r.error().message());
    enumeration.emplace(std::move(r).value());
  }
  // Nothing can fail from here on.
  if (flood) flood_ = std::move(flood);
  if (auth) auth_ = std::move(auth);
  if (enumeration) enumeration_ = std::move(enumeration);
  double n = runtime->workers;
  double rate = c.event_rate / n;
  double burst = std::max(1.0, c.event_burst / n);
  if (!reporter_ || old == nullptr || old->event_rate != c.event_rate ||
      old->event_burst != c.event_burst || runtime->workers != runtime_->workers ||
      runtime->sink != runtime_->sink) {
    if (reporter_) AddCounters(&retired_, reporter_->counters());
    reporter_ = std::make_unique<Reporter>(runtime->sink.get(), rate, burst);
  }
  runtime_ = std::move(runtime);
  extensions_.assign(runtime_->config.forward.supported_extensions.begin(),
                     runtime_->config.forward.supported_extensions.end());
  return {};
}

Decision Pipeline::Count(Decision d) {
  switch (d.disposition) {
    case Disposition::kForwardRequest: counters_->forwarded_requests.Add(); break;
    case Disposition::kForwardResponse: counters_->forwarded_responses.Add(); break;
    case Disposition::kReply:
      counters_->replied_by_status[std::min<size_t>(d.status, kMaxStatus - 1)].Add();
      break;
    case Disposition::kDrop: counters_->dropped[static_cast<size_t>(d.drop)].Add(); break;
    case Disposition::kConsumed: counters_->health_replies.Add(); break;
  }
  return d;
}

Decision Pipeline::Process(std::string_view bytes, const forward::Endpoint& source,
                           detect::TimePoint now, std::span<char> out) {
  counters_->received.Add();
  sip::Transport framing = source.transport == forward::Transport::kTcp ? sip::Transport::kStream
                                                                        : sip::Transport::kDatagram;
  // Backends are exempt, like trusted sources: their answers to many
  // clients arrive from one address.
  bool backend = runtime_->health->FindByAddress(source.ip).has_value();
  detect::FloodVerdict fv = backend ? detect::FloodVerdict{} : flood_->Check(source.ip, now);
  if (fv.action == detect::FloodAction::kDrop) {
    if (fv.report) {
      (void)sip::Parse(bytes, framing, &msg_);
      Report(EventType::kFlood, source, &msg_, 0, 0, fv.count, now);
    }
    return Count(Drop(DropReason::kFlood));
  }
  sip::ValidatorOptions options;
  options.transport = framing;
  options.supported_extensions = extensions_;
  sip::Verdict verdict = sip::ParseAndValidate(bytes, options, &msg_);
  if (verdict.check == sip::Check::kEmpty) return Count(Drop(DropReason::kKeepalive));
  bool response = !msg_.is_request() && verdict.check != sip::Check::kBadStartLine;
  return Count(response ? HandleResponse(verdict, source, now, out)
                        : HandleRequest(verdict, source, now, out));
}

Decision Pipeline::HandleRequest(const sip::Verdict& verdict, const forward::Endpoint& source,
                                 detect::TimePoint now, std::span<char> out) {
  const Runtime& rt = *runtime_;
  if (msg_.is_request()) {
    detect::ScannerVerdict sv = rt.scanner.Check(msg_);
    if (sv) {
      Report(EventType::kScanner, source, &msg_, 0, 0, 0, now);
      return Drop(DropReason::kScanner);
    }
  }
  if (!verdict.ok()) {
    bool hops = verdict.check == sip::Check::kTooManyHops;
    EventType type = hops ? EventType::kTooManyHops : EventType::kMalformed;
    int retcode = verdict.retcode() == -255 ? 0 : verdict.retcode();
    if (verdict.action == sip::Action::kReply) {
      Result<forward::Outcome> o = rt.forwarder.Reply(
          msg_, source, verdict.status, out,
          hops ? forward::Reason::kTooManyHops : forward::Reason::kInvalid, verdict.detail);
      if (o.ok() && o->action == sip::Action::kReply) {
        Report(type, source, &msg_, o->status, retcode, 0, now);
        return Send(Disposition::kReply, *o);
      }
    }
    Report(type, source, &msg_, 0, retcode, 0, now);
    return Drop(DropReason::kMalformed);
  }
  rt.health->Snapshot(&backends_);
  Result<forward::Outcome> o = rt.forwarder.Request(msg_, source, backends_, out);
  if (!o.ok()) return Drop(DropReason::kInternal);
  const forward::ReasonInfo& info = forward::Describe(o->reason);
  switch (o->action) {
    case sip::Action::kForward: return Send(Disposition::kForwardRequest, *o);
    case sip::Action::kReply:
      if (info.offence) Report(EventFor(o->reason), source, &msg_, o->status, 0, 0, now);
      return Send(Disposition::kReply, *o);
    case sip::Action::kDrop: break;
  }
  if (info.offence) Report(EventFor(o->reason), source, &msg_, 0, 0, 0, now);
  switch (o->reason) {
    case forward::Reason::kFromSelf: return Drop(DropReason::kFromSelf);
    case forward::Reason::kNoBackend: return Drop(DropReason::kNoBackend);
    default: return Drop(DropReason::kMalformed);
  }
}

Decision Pipeline::HandleResponse(const sip::Verdict& verdict, const forward::Endpoint& source,
                                  detect::TimePoint now, std::span<char> out) {
  const Runtime& rt = *runtime_;
  std::optional<size_t> backend = rt.health->Find(source);
  if (!backend && !rt.IsRecentBackend(source.ip, now)) return Drop(DropReason::kNotFromBackend);
  if (!verdict.ok()) return Drop(DropReason::kMalformed);  // a backend's: never reported
  if (IsHealthReply(msg_, rt.health_token)) {
    if (backend) rt.health->MarkAnswered(*backend);
    Decision d;
    d.disposition = Disposition::kConsumed;
    return d;
  }
  Result<forward::Outcome> o = rt.forwarder.Response(msg_, source, out);
  if (!o.ok()) return Drop(DropReason::kInternal);
  if (o->action != sip::Action::kForward) return Drop(DropReason::kUnroutable);
  int status = StatusCode(msg_);
  if (status >= 200) ObserveFinal(o->destination, status, now);
  return Send(Disposition::kForwardResponse, *o);
}

void Pipeline::ObserveFinal(const forward::Endpoint& client, int status, detect::TimePoint now) {
  MessageFields f = ReadFields(msg_);
  detect::ResponseSample sample{client.ip, f.cseq_method, status, f.to_user};
  detect::ResponseVerdict a = auth_->Observe(sample, now);
  if (a.report) Report(EventType::kAuthFailure, client, &msg_, status, 0, a.count, now);
  detect::ResponseVerdict e = enumeration_->Observe(sample, now);
  if (e.report) Report(EventType::kEnumeration, client, &msg_, status, 0, e.count, now);
}

bool Pipeline::Reportable(const IpAddress& ip) const {
  return !runtime_->config.trusted.Contains(ip) && !runtime_->health->FindByAddress(ip);
}

void Pipeline::Report(EventType type, const forward::Endpoint& src, const sip::Message* msg,
                      int reply, int retcode, uint32_t count, detect::TimePoint now) {
  if (!Reportable(src.ip)) return;
  Event e;
  e.type = type;
  e.src_ip = src.ip;
  e.src_port = src.port;
  e.transport = forward::UriTransportParam(src.transport);
  if (msg != nullptr) {
    MessageFields f = ReadFields(*msg);
    e.method = f.method;
    e.call_id = f.call_id;
    e.from_uri = f.from_uri;
    e.user_agent = f.user_agent;
  }
  e.reply = reply;
  e.retcode = retcode;
  e.count = count;
  (void)reporter_->Report(e, now);
}

void Pipeline::RejectStream(std::string_view bytes, const forward::Endpoint& source,
                            detect::TimePoint now) {
  (void)sip::Parse(bytes, sip::Transport::kStream, &msg_);
  Report(EventType::kMalformed, source, &msg_, 0, 0, 0, now);
  (void)Count(Drop(DropReason::kMalformed));
}

void Pipeline::SyncCounters() {
  ReporterCounters c = retired_;
  AddCounters(&c, reporter_->counters());
  counters_->events_written.Set(c.written);
  counters_->events_suppressed.Set(c.suppressed);
  counters_->events_failed.Set(c.failed);
}

std::optional<Error> Pipeline::TakeSinkError() { return reporter_->TakeLastError(); }

}  // namespace sipguard::server
