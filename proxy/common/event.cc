#include "common/event.h"

#include <cassert>
#include <charconv>

namespace sipguard {
namespace {

struct TypeInfo {
  std::string_view name;        // SIPGUARD_EVENT value
  std::string_view message_id;  // MESSAGE_ID, see packaging/sipguard.catalog
  std::string_view stage;       // "log" | "end"
  std::string_view label;       // fixed text before " from <ip>"
};

// Indexed by EventType. Message ids were generated once with uuid4 and must
// never change: catalogs, journalctl filters and dashboards key on them.
constexpr std::array<TypeInfo, kAllEventTypes.size()> kTypes = {{
    {"malformed", "dd6f9489a9fd44868f9db0bd1607bcb4", "log", "Bad Request/Body"},
    {"too-many-hops", "c15f3977e85446d0a3d1a8d287b79f97", "end", "Too Many Hops"},
    {"loop", "33c075df87a34564a7f48b1c7fb3ccbd", "end", "Loop Detected"},
    {"scanner", "6e6e2b96e4e64959987b3af899b99855", "log", "Scanner"},
    {"flood", "525973674fb74809b921dea42a2544e4", "log", "Flood"},
    {"auth-failure", "962c0297258a4fe2b1d3292074c1ffe0", "log", "Auth Failure"},
    {"enumeration", "e5e2336931874c25b52289daf4ca1b1e", "log", "Enumeration"},
}};

// For a value outside the enum (a programming error): the agent's
// ParseEventType() rejects "unknown", so such an event is never acted on.
constexpr TypeInfo kUnknownType = {"unknown", "", "log", "Unknown Event"};

const TypeInfo& Info(EventType type) {
  const auto index = static_cast<size_t>(type);
  assert(index < kTypes.size());
  return index < kTypes.size() ? kTypes[index] : kUnknownType;
}

template <typename Int>
void AppendInt(Int value, std::string* out) {
  char buf[16];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  static_cast<void>(ec);  // Cannot fail: 16 bytes hold any 32-bit value.
  out->append(buf, end);
}

// "NAME=" + sanitized value.
std::string SanitizedField(std::string_view name, std::string_view value, size_t max_len) {
  std::string field(name);
  field.push_back('=');
  SanitizeField(value, max_len, &field);
  return field;
}

template <typename Int>
std::string IntField(std::string_view name, Int value) {
  std::string field(name);
  field.push_back('=');
  AppendInt(value, &field);
  return field;
}

}  // namespace

std::string_view ToString(EventType type) { return Info(type).name; }

std::string_view MessageId(EventType type) { return Info(type).message_id; }

Result<EventType> ParseEventType(std::string_view name) {
  for (EventType type : kAllEventTypes) {
    if (Info(type).name == name) return type;
  }
  return Error("unknown event type " + QuoteForError(name));
}

void FormatMessage(const Event& event, std::string* out) {
  const TypeInfo& info = Info(event.type);
  out->clear();
  SanitizeField(event.call_id, kMaxCallIdLen, out);
  out->push_back('|');
  out->append(info.stage);
  out->push_back('|');
  out->append(info.label);
  out->append(" from ");
  event.src_ip.AppendTo(out);
  // Everything from here on may be attacker-controlled.
  out->push_back(' ');
  SanitizeField(event.method, kMaxMethodLen, out);
  out->append(" (");
  SanitizeField(event.from_uri, kMaxUriLen, out);
  out->push_back(')');
  switch (event.type) {
    case EventType::kMalformed:
      out->append(",retcode=");
      AppendInt(event.retcode, out);
      break;
    case EventType::kScanner:
      out->append(" ua=");
      SanitizeField(event.user_agent, kMaxUserAgentLen, out);
      break;
    case EventType::kFlood:
      out->append(" count=");
      AppendInt(event.count, out);
      break;
    case EventType::kTooManyHops:
    case EventType::kLoop:
    case EventType::kAuthFailure:
    case EventType::kEnumeration: break;
  }
}

std::vector<std::string> JournalFields(const Event& event) {
  std::vector<std::string> fields;
  fields.reserve(15);
  std::string message = "MESSAGE=";
  std::string line;
  FormatMessage(event, &line);
  message += line;
  fields.push_back(std::move(message));
  fields.push_back("MESSAGE_ID=" + std::string(MessageId(event.type)));
  fields.emplace_back("PRIORITY=4");
  fields.emplace_back("SYSLOG_IDENTIFIER=sipguard-proxy");
  fields.push_back("SIPGUARD_EVENT=" + std::string(ToString(event.type)));
  fields.push_back("SIPGUARD_SRC_IP=" + event.src_ip.ToString());
  fields.push_back(IntField("SIPGUARD_SRC_PORT", event.src_port));
  fields.push_back(SanitizedField("SIPGUARD_TRANSPORT", event.transport, kMaxTransportLen));
  fields.push_back(SanitizedField("SIPGUARD_METHOD", event.method, kMaxMethodLen));
  fields.push_back(SanitizedField("SIPGUARD_CALL_ID", event.call_id, kMaxCallIdLen));
  fields.push_back(SanitizedField("SIPGUARD_FROM_URI", event.from_uri, kMaxUriLen));
  fields.push_back(SanitizedField("SIPGUARD_USER_AGENT", event.user_agent, kMaxUserAgentLen));
  fields.push_back(event.reply == 0 ? std::string("SIPGUARD_REPLY=drop")
                                    : IntField("SIPGUARD_REPLY", event.reply));
  if (event.retcode != 0) fields.push_back(IntField("SIPGUARD_RETCODE", event.retcode));
  if (event.type == EventType::kFlood) fields.push_back(IntField("SIPGUARD_COUNT", event.count));
  return fields;
}

}  // namespace sipguard
