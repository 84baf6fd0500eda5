#include "server/counters.h"

#include <array>

namespace sipguard::server {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(DropReason::kCount)> kDropNames = {
    "flood",     "malformed",   "scanner",          "keepalive",
    "from-self", "no-backend",  "not-from-backend", "unroutable",
    "internal",  "send-failed", "tcp-no-connection"};

// Only our own names and numbers go in: no escaping needed beyond quotes.
void Key(std::string* out, std::string_view key) {
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

void Append(std::string* out, uint64_t v) { out->append(std::to_string(v)); }

}  // namespace

std::string_view DropReasonName(DropReason reason) {
  auto i = static_cast<size_t>(reason);
  return i < kDropNames.size() ? kDropNames[i] : "unknown";
}

Totals Sum(std::span<const WorkerCounters* const> workers) {
  Totals t;
  std::array<uint64_t, kMaxStatus> status{};
  for (const WorkerCounters* w : workers) {
    t.received += w->received.Get();
    t.forwarded_requests += w->forwarded_requests.Get();
    t.forwarded_responses += w->forwarded_responses.Get();
    t.health_replies += w->health_replies.Get();
    for (size_t i = 0; i < kMaxStatus; ++i) status[i] += w->replied_by_status[i].Get();
    for (size_t i = 0; i < t.dropped_by_reason.size(); ++i) {
      t.dropped_by_reason[i] += w->dropped[i].Get();
    }
    t.events_written += w->events_written.Get();
    t.events_suppressed += w->events_suppressed.Get();
    t.events_failed += w->events_failed.Get();
    t.tcp_connections += w->tcp_connections.Get();
    t.tcp_rejected += w->tcp_rejected.Get();
  }
  for (size_t i = 0; i < kMaxStatus; ++i) {
    if (status[i] == 0) continue;
    t.replied += status[i];
    t.replied_by_status.emplace_back(static_cast<int>(i), status[i]);
  }
  for (uint64_t d : t.dropped_by_reason) t.dropped += d;
  return t;
}

std::string ToJson(const Totals& t) {
  std::string o = "{";
  Key(&o, "received");
  Append(&o, t.received);
  o += ",\"forwarded\":{";
  Key(&o, "requests");
  Append(&o, t.forwarded_requests);
  o += ',';
  Key(&o, "responses");
  Append(&o, t.forwarded_responses);
  o += "},";
  Key(&o, "health_replies");
  Append(&o, t.health_replies);
  o += ",\"replied\":{";
  for (size_t i = 0; i < t.replied_by_status.size(); ++i) {
    if (i != 0) o += ',';
    Key(&o, std::to_string(t.replied_by_status[i].first));
    Append(&o, t.replied_by_status[i].second);
  }
  o += "},\"dropped\":{";
  for (size_t i = 0; i < t.dropped_by_reason.size(); ++i) {
    if (i != 0) o += ',';
    Key(&o, DropReasonName(static_cast<DropReason>(i)));
    Append(&o, t.dropped_by_reason[i]);
  }
  o += "},\"events\":{";
  Key(&o, "written");
  Append(&o, t.events_written);
  o += ',';
  Key(&o, "suppressed");
  Append(&o, t.events_suppressed);
  o += ',';
  Key(&o, "failed");
  Append(&o, t.events_failed);
  o += "},\"tcp\":{";
  Key(&o, "connections");
  Append(&o, t.tcp_connections);
  o += ',';
  Key(&o, "rejected");
  Append(&o, t.tcp_rejected);
  o += "},\"backends\":[";
  for (size_t i = 0; i < t.backends.size(); ++i) {
    if (i != 0) o += ',';
    o += "{";
    Key(&o, "endpoint");
    o += '"' + t.backends[i].endpoint + "\",";
    Key(&o, "healthy");
    o += t.backends[i].healthy ? "true" : "false";
    o += '}';
  }
  o += "]}";
  return o;
}

std::string ToStatusLine(const Totals& t) {
  size_t up = 0;
  for (const BackendStatus& b : t.backends) up += b.healthy ? 1 : 0;
  return "rx " + std::to_string(t.received) + " fwd " + std::to_string(t.forwarded_requests) + "/" +
         std::to_string(t.forwarded_responses) + " replied " + std::to_string(t.replied) +
         " dropped " + std::to_string(t.dropped) + " events " + std::to_string(t.events_written) +
         " (+" + std::to_string(t.events_suppressed) + " suppressed) backends " +
         std::to_string(up) + "/" + std::to_string(t.backends.size()) + " up";
}

}  // namespace sipguard::server
