// The event contract: how the proxy reports an offence and how the agent and
// the fail2ban filters read it back (see DESIGN.md, "The event contract").
//
// Producer (sipguard-proxy): fill an Event, then write JournalFields(event)
// with sd_journal_sendv(), or, without a journal, FormatMessage(event) as one
// line to stderr or a file.
// Consumers: sipguard-agent calls ParseEventFields() on the structured
// SIPGUARD_* fields of an entry; fail2ban filters match the MESSAGE line.
//
// The MESSAGE line is "<call-id>|<stage>|<label> from <ip> ..." where the
// label is fixed per event type and <ip> is the real source address, placed
// BEFORE any attacker-controlled text. Every attacker-controlled value goes
// through SanitizeField() first, so it holds no '|' and no line break: the
// first '|' of a line always ends the Call-ID, and "<label> from <ip>" right
// after "|<stage>|" cannot be forged by a header. See FormatMessage() for
// the exact format of each type.
//
// This library does no I/O (no libsystemd); the programs do.
// Nothing here logs or throws. Thread-safety: pure functions on values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"
#include "common/sanitize.h"  // SanitizeField(), part of this contract.

namespace sipguard {

// Upper bounds, in bytes after sanitizing, of the attacker-controlled values
// in MESSAGE and in the SIPGUARD_* fields.
inline constexpr size_t kMaxCallIdLen = 128;
inline constexpr size_t kMaxUriLen = 256;
inline constexpr size_t kMaxUserAgentLen = 128;
inline constexpr size_t kMaxMethodLen = 32;
inline constexpr size_t kMaxTransportLen = 8;
// Upper bound of a FormatMessage() line.
inline constexpr size_t kMaxMessageLen = 700;

enum class EventType {
  kMalformed,    // "malformed": failed syntax/semantic validation (400).
  kTooManyHops,  // "too-many-hops": Max-Forwards exhausted (483).
  kLoop,         // "loop": request came back through us (482).
  kScanner,      // "scanner": known scanner User-Agent or behaviour.
  kFlood,        // "flood": source exceeded its packet rate.
  kAuthFailure,  // "auth-failure": 401/403 storm from a backend.
  kEnumeration,  // "enumeration": probing for valid extensions/users.
};

inline constexpr std::array<EventType, 7> kAllEventTypes = {
    EventType::kMalformed, EventType::kTooManyHops, EventType::kLoop,       EventType::kScanner,
    EventType::kFlood,     EventType::kAuthFailure, EventType::kEnumeration};

// The wire name ("too-many-hops"), the value of SIPGUARD_EVENT.
std::string_view ToString(EventType type);
// Inverse of ToString(); an Error naming the input for anything else
// (exact, case-sensitive match).
Result<EventType> ParseEventType(std::string_view name);

// The journal MESSAGE_ID of the type: 32 lower-case hex digits, fixed forever
// (packaging/sipguard.catalog documents each one).
std::string_view MessageId(EventType type);

// One offence, as the proxy reports it. The string_views point into the
// caller's buffers (usually the received packet) and need only live for the
// duration of the FormatMessage()/JournalFields() call. The strings may hold
// any bytes: they are sanitized on output.
struct Event {
  EventType type = EventType::kMalformed;
  IpAddress src_ip;
  uint16_t src_port = 0;
  std::string_view transport;  // "udp" | "tcp"
  std::string_view method;     // request method (or CSeq method of a reply)
  std::string_view call_id;
  std::string_view from_uri;
  std::string_view user_agent;
  int reply = 0;       // SIP status code sent back; 0 = dropped silently.
  int retcode = 0;     // OpenSIPS sipmsg_validate()-style code, 0 if none.
  uint32_t count = 0;  // kFlood: packets in the window.
};

// Replaces *out with the MESSAGE line of `event` (no trailing newline):
//   malformed      <ci>|log|Bad Request/Body from <ip> <method> (<from-uri>),retcode=<n>
//   too-many-hops  <ci>|end|Too Many Hops from <ip> <method> (<from-uri>)
//   loop           <ci>|end|Loop Detected from <ip> <method> (<from-uri>)
//   scanner        <ci>|log|Scanner from <ip> <method> (<from-uri>) ua=<user-agent>
//   flood          <ci>|log|Flood from <ip> <method> (<from-uri>) count=<n>
//   auth-failure   <ci>|log|Auth Failure from <ip> <method> (<from-uri>)
//   enumeration    <ci>|log|Enumeration from <ip> <method> (<from-uri>)
// <ci>, <method>, <from-uri>, <user-agent> are SanitizeField()ed with the
// limits above (an empty value shows as "-"); <ip> is IpAddress::ToString().
// The line is at most kMaxMessageLen bytes.
// Readers must anchor on the first '|', e.g. the fail2ban failregex
//   ^[^|]*\|log\|Scanner from <HOST> \S
// An unanchored "from <HOST>" could match text inside the Call-ID, which
// comes first.
void FormatMessage(const Event& event, std::string* out);

// The journal fields of `event`, each "NAME=value", ready for
// sd_journal_sendv(), in this order: MESSAGE, MESSAGE_ID, PRIORITY (4),
// SYSLOG_IDENTIFIER (sipguard-proxy), SIPGUARD_EVENT, SIPGUARD_SRC_IP,
// SIPGUARD_SRC_PORT, SIPGUARD_TRANSPORT, SIPGUARD_METHOD, SIPGUARD_CALL_ID,
// SIPGUARD_FROM_URI, SIPGUARD_USER_AGENT, SIPGUARD_REPLY (status code or
// "drop"), SIPGUARD_RETCODE (only if retcode != 0), SIPGUARD_COUNT (only for
// kFlood). String values are SanitizeField()ed like in MESSAGE: single-line,
// bounded, "-" when empty.
std::vector<std::string> JournalFields(const Event& event);

// What the agent reads back: an owning copy of an Event.
struct ParsedEvent {
  EventType type = EventType::kMalformed;
  IpAddress src_ip;
  uint16_t src_port = 0;  // 0 if absent.
  // Sanitized again on reading (a no-op for what the proxy wrote), so they
  // are always safe to print, even from a forged or foreign entry.
  std::string transport, method, call_id, from_uri, user_agent;
  int reply = 0;       // 0 = "drop" or absent.
  int retcode = 0;     // 0 if absent.
  uint32_t count = 0;  // 0 if absent.
};

// Returns the value of a field (the part after "NAME="), or nullopt if the
// entry does not have it. The returned view only needs to stay valid until the
// next call of the lookup (as with sd_journal_get_data()).
using FieldLookup = std::function<std::optional<std::string_view>(std::string_view field)>;

// Reads an event from the SIPGUARD_* fields of a journal entry.
// Required: SIPGUARD_EVENT (a known wire name) and SIPGUARD_SRC_IP (an
// address per IpAddress::Parse). The source is taken ONLY from
// SIPGUARD_SRC_IP: MESSAGE is never looked at. Optional: SIPGUARD_SRC_PORT
// (0..65535), SIPGUARD_REPLY ("drop" or 100..699), SIPGUARD_RETCODE (an int),
// SIPGUARD_COUNT (a uint32), and the string fields. A required field that is
// missing, or any field that is present but invalid, is an Error naming it.
// Whether the entry comes from a trusted writer (_COMM, _UID, ...) is for the
// caller to check.
Result<ParsedEvent> ParseEventFields(const FieldLookup& lookup);

}  // namespace sipguard
